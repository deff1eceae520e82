# SPDX-License-Identifier: GPL-2.0
#
# User entry points.  Kbuild reads ./Kbuild for the modules themselves.
#
#   make            build the modules against KDIR (default: the cached
#                   debug guest kernel, built on first use)
#   make run        demo: boot a guest, load our modules, use /dev/tpm0
#   make shell      interactive guest with our modules loaded (TPM=1.2
#                   for a TPM 1.2 behind tpm-tis)
#   make check      every test; ends with "N passed, N failed"
#   make kunit      the KUnit suites under kunit.py (UML)
#   make bench      upstream vs ours vs the swtpm floor, on the plain
#                   guest kernel; prints the table (BENCH_ARGS: --rounds,
#                   --secs)
#   make clean

KVER ?= 6.12
export KVER
KDIR ?=

.PHONY: all modules deps run shell check kunit bench clean

all: modules

modules:
	@tests/lib/deps.sh
	@kdir="$(KDIR)"; [ -n "$$kdir" ] || kdir=$$(tests/lib/guest-kernel.sh debug) && \
	$(MAKE) -C "$$kdir" M=$(CURDIR) W=1 modules

deps:
	@tests/lib/deps.sh

run:
	@tests/run-demo.sh

shell:
	@tests/guest.sh --kernel $(or $(KERNEL),debug) --driver $(or $(DRIVER),ours) \
		--tpm $(or $(TPM),2.0) --shell

check:
	@tests/check.sh

kunit:
	@tests/kunit.sh

bench:
	@tests/bench/run.sh $(BENCH_ARGS)

clean:
	rm -rf *.o *.ko *.mod *.mod.c .*.cmd Module.symvers modules.order .tmp_versions
	rm -f tests/*.o tests/*.ko tests/*.mod tests/*.mod.c tests/.*.cmd
