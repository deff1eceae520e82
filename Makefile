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
#   make install  build against the running kernel (or KDIR), install into
#                 its modules' updates/ directory and run depmod, so that
#                 modprobe loads these modules instead of the kernel's own
#                 (INSTALL_MOD_PATH: a staging root)
#   make clean

KVER ?= 6.12
export KVER
KDIR ?=

.PHONY: all modules install deps run shell check kunit bench clean

all: modules

modules:
	@tests/lib/deps.sh
	@kdir="$(KDIR)"; [ -n "$$kdir" ] || kdir=$$(tests/lib/guest-kernel.sh debug) && \
	$(MAKE) -C "$$kdir" M=$(CURDIR) W=1 modules

# The KUnit and test modules are for the test guest, never installed.
install:
	@kdir="$(or $(KDIR),/lib/modules/$(shell uname -r)/build)"; \
	[ -f "$$kdir/include/config/kernel.release" ] || \
		{ echo "install: no kernel build directory at $$kdir (KDIR=)" >&2; exit 1; }; \
	kver=$$(cat "$$kdir/include/config/kernel.release"); \
	$(MAKE) -C "$$kdir" M=$(CURDIR) CONFIG_TCG_TPM_OOT_KUNIT_TEST= \
		CONFIG_TCG_TPM_OOT_TEST_USER= modules && \
	$(MAKE) -C "$$kdir" M=$(CURDIR) CONFIG_TCG_TPM_OOT_KUNIT_TEST= \
		CONFIG_TCG_TPM_OOT_TEST_USER= \
		INSTALL_MOD_DIR=updates modules_install && \
	depmod -a $(if $(INSTALL_MOD_PATH),-b "$(INSTALL_MOD_PATH)") "$$kver" && \
	echo "install: modules in $(INSTALL_MOD_PATH)/lib/modules/$$kver/updates; depmod done"

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
