// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/tpmN and /dev/tpmrmN: one command at a time, written whole, its
 * response read back whole or in parts.  /dev/tpmN is open to one file at
 * a time and passes commands through; each /dev/tpmrmN file runs its
 * commands in a space of its own (tpm2-space.c).
 *
 * A file is idle, busy (a command owns the buffer and is on its way to the
 * TPM) or holds a result (response bytes left to read, or, after an
 * O_NONBLOCK write, an errno for the reader).  The command runs without
 * the file's lock, so read and poll never wait behind the TPM; they sleep
 * on the chip's event_wq, which command completion and the unregister
 * fence both wake.
 */
#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include "tpm.h"
#include "tpm2-session.h"

static unsigned int response_timeout_ms = 120000;
module_param(response_timeout_ms, uint, 0644);
MODULE_PARM_DESC(response_timeout_ms,
		 "An unread response is discarded after this many ms");

static struct workqueue_struct *tpm_dev_wq;

/**
 * struct tpm_file - one open /dev/tpmN
 * @chip:		the chip; the file holds a reference on chip->dev
 * @space:		for /dev/tpmrmN, the file's objects and sessions
 * @lock:		guards every field below; never held across a command
 * @busy:		a command owns @buf and is being transmitted
 * @result:		response bytes left to read, or a negative errno left
 *			for the reader by an O_NONBLOCK command, or 0
 * @offset:		where the next read starts in @buf
 * @read_started:	part of the response has been read; a new write may
 *			discard the rest
 * @discard_at:		when an unread response becomes stale
 * @nonblock_work:	runs an O_NONBLOCK command
 * @discard_work:	drops a stale response
 * @buf:		the command, then its response
 */
struct tpm_file {
	struct tpm_chip *chip;
	struct tpm_rm_space *space;
	struct mutex lock;	/* guards the fields below */
	bool busy;
	ssize_t result;
	size_t offset;
	bool read_started;
	unsigned long discard_at;
	struct work_struct nonblock_work;
	struct delayed_work discard_work;
	u8 buf[TPM_BUFSIZE];
};

static wait_queue_head_t *tpm_file_wq(struct tpm_file *f)
{
	return &tpm_chip_priv(f->chip)->event_wq;
}

static void tpm_file_clear(struct tpm_file *f)
{
	f->result = 0;
	f->offset = 0;
	f->read_started = false;
}

/*
 * Send the command in f->buf.  The file is busy, so nothing else touches
 * the buffer, and the file's lock is not held.  @keep_error leaves a
 * failure for the reader (O_NONBLOCK); otherwise the caller reports it.
 */
static ssize_t tpm_file_run(struct tpm_file *f, bool keep_error)
{
	unsigned long timeout = msecs_to_jiffies(response_timeout_ms);
	ssize_t len;

	len = tpm_try_get_ops_as(f->chip, f, true);
	if (!len) {
		if (f->space) {
			len = tpm2_space_transmit(f->chip, f->space, f->buf,
						  sizeof(f->buf));
		} else {
			/* The TPM as if no space had anything loaded. */
			tpm2_sess_unhold(f->chip);
			len = tpm2_rm_evict_all(f->chip);
			if (!len)
				len = tpm_transmit(f->chip, f->buf,
						   sizeof(f->buf));
		}
		tpm_put_ops(f->chip);
	} else if (len == -ENODEV) {
		len = -EPIPE;
	}

	mutex_lock(&f->lock);
	f->busy = false;
	if (len > 0) {
		f->result = len;
		f->discard_at = jiffies + timeout;
		mod_delayed_work(tpm_dev_wq, &f->discard_work, timeout);
	} else {
		f->result = keep_error ? len : 0;
	}
	mutex_unlock(&f->lock);
	wake_up_all(tpm_file_wq(f));
	return len;
}

static void tpm_file_nonblock_work(struct work_struct *work)
{
	struct tpm_file *f = container_of(work, struct tpm_file, nonblock_work);

	tpm_file_run(f, true);
}

static void tpm_file_discard_work(struct work_struct *work)
{
	struct tpm_file *f = container_of(to_delayed_work(work),
					  struct tpm_file, discard_work);

	mutex_lock(&f->lock);
	/* A response that arrived after this work was queued is not stale. */
	if (!f->busy && f->result > 0 && time_after_eq(jiffies, f->discard_at)) {
		memzero_explicit(f->buf, sizeof(f->buf));
		tpm_file_clear(f);
	}
	mutex_unlock(&f->lock);
	wake_up_all(tpm_file_wq(f));
}

static int tpm_file_open(struct file *file, struct tpm_chip *chip,
			 struct tpm_rm_space *space)
{
	struct tpm_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	get_device(&chip->dev);
	f->chip = chip;
	f->space = space;
	mutex_init(&f->lock);
	INIT_WORK(&f->nonblock_work, tpm_file_nonblock_work);
	INIT_DELAYED_WORK(&f->discard_work, tpm_file_discard_work);
	file->private_data = f;
	return stream_open(file_inode(file), file);
}

/* The exclusive hold ends: those waiting for it go on. */
static void tpm_file_unclaim(struct tpm_file *f)
{
	struct tpm_chip_priv *priv = tpm_chip_priv(f->chip);

	if (READ_ONCE(priv->excl) != f)
		return;
	mutex_lock(&f->chip->tpm_mutex);
	WRITE_ONCE(priv->excl, NULL);
	mutex_unlock(&f->chip->tpm_mutex);
	wake_up_all(&priv->event_wq);
}

/* @exclusive: the file is the one open /dev/tpmN, whose slot it frees. */
static int tpm_file_release(struct tpm_file *f, bool exclusive)
{
	struct tpm_chip *chip = f->chip;

	flush_work(&f->nonblock_work);
	cancel_delayed_work_sync(&f->discard_work);
	tpm_file_unclaim(f);
	tpm2_space_free(chip, f->space);
	if (exclusive)
		clear_bit(0, &chip->is_open);
	put_device(&chip->dev);
	kfree_sensitive(f);
	return 0;
}

/*
 * /dev/tpmN opened with O_EXCL for writing holds the TPM alone until it
 * closes (a firmware update, a provisioning tool): the spaces' contexts
 * leave the TPM now (their next commands, afterwards, load them again),
 * and nobody else's command reaches the TPM meanwhile: /dev/tpmrmN
 * files, the hwrng and kernel users wait for it (tpm_try_get_ops_as()).
 * Without write access, or without O_EXCL, the open is a shared one, as
 * upstream's: a resource manager daemon holding /dev/tpmN does not stop
 * /dev/tpmrmN.
 */
static int tpm_file_claim(struct tpm_file *f)
{
	struct tpm_chip *chip = f->chip;
	int rc;

	rc = tpm_try_get_ops(chip);
	if (rc)
		return rc;
	if (chip->flags & TPM_CHIP_FLAG_TPM2) {
		tpm2_sess_unhold(chip);
		rc = tpm2_rm_evict_all(chip);
	}
	if (!rc)
		WRITE_ONCE(tpm_chip_priv(chip)->excl, f);
	tpm_put_ops(chip);
	return rc;
}

static int tpm_open(struct inode *inode, struct file *file)
{
	struct tpm_chip *chip = container_of(inode->i_cdev, struct tpm_chip,
					     cdev);
	int rc;

	if (test_and_set_bit(0, &chip->is_open))
		return -EBUSY;
	rc = tpm_file_open(file, chip, NULL);
	if (rc) {
		clear_bit(0, &chip->is_open);
		return rc;
	}
	if ((file->f_flags & O_EXCL) && (file->f_mode & FMODE_WRITE)) {
		rc = tpm_file_claim(file->private_data);
		if (rc)
			tpm_file_release(file->private_data, true);
	}
	return rc;
}

static int tpm_rm_open(struct inode *inode, struct file *file)
{
	struct tpm_chip *chip = container_of(inode->i_cdev, struct tpm_chip,
					     cdevs);
	struct tpm_rm_space *space;
	int rc;

	space = tpm2_space_alloc();
	if (!space)
		return -ENOMEM;
	rc = tpm_file_open(file, chip, space);
	if (rc)
		tpm2_space_free(chip, space);
	return rc;
}

static int tpm_release(struct inode *inode, struct file *file)
{
	return tpm_file_release(file->private_data, true);
}

static int tpm_rm_release(struct inode *inode, struct file *file)
{
	return tpm_file_release(file->private_data, false);
}

/* Called with f->lock held; returns with it held, or -ERESTARTSYS without. */
static int tpm_file_wait_idle(struct tpm_file *f, bool nonblock)
{
	while (f->busy) {
		if (nonblock)
			return -EAGAIN;
		mutex_unlock(&f->lock);
		if (wait_event_interruptible(*tpm_file_wq(f),
					     !READ_ONCE(f->busy)))
			return -ERESTARTSYS;
		mutex_lock(&f->lock);
	}
	return 0;
}

static ssize_t tpm_file_copy_out(struct tpm_file *f, char __user *ubuf,
				 size_t size)
{
	size_t n = min_t(size_t, size, f->result);

	if (copy_to_user(ubuf, f->buf + f->offset, n))
		return -EFAULT;
	f->read_started = true;
	f->offset += n;
	f->result -= n;
	if (!f->result) {
		memzero_explicit(f->buf, sizeof(f->buf));
		tpm_file_clear(f);
		cancel_delayed_work(&f->discard_work);
	}
	return n;
}

static ssize_t tpm_read(struct file *file, char __user *ubuf, size_t size,
			loff_t *off)
{
	struct tpm_file *f = file->private_data;
	ssize_t rc;

	if (!size)
		return 0;

	mutex_lock(&f->lock);
	rc = tpm_file_wait_idle(f, file->f_flags & O_NONBLOCK);
	if (rc == -ERESTARTSYS)
		return rc;
	if (rc)
		goto out;

	if (f->result < 0) {
		rc = f->result;
		tpm_file_clear(f);
	} else if (f->result > 0) {
		rc = tpm_file_copy_out(f, ubuf, size);
	} else {
		rc = tpm_chip_gone(f->chip) ? -EPIPE : 0;
	}
out:
	mutex_unlock(&f->lock);
	return rc;
}

static ssize_t tpm_write(struct file *file, const char __user *ubuf,
			 size_t size, loff_t *off)
{
	struct tpm_file *f = file->private_data;
	bool nonblock = file->f_flags & O_NONBLOCK;
	ssize_t rc;

	if (size > TPM_BUFSIZE)
		return -E2BIG;
	if (size < TPM_HEADER_SIZE)
		return -EINVAL;

	mutex_lock(&f->lock);
	if (f->busy || (f->result && !f->read_started)) {
		rc = -EBUSY;
		goto out_unlock;
	}
	if (tpm_chip_gone(f->chip)) {
		rc = -EPIPE;
		goto out_unlock;
	}

	tpm_file_clear(f);
	if (copy_from_user(f->buf, ubuf, size)) {
		rc = -EFAULT;
		goto out_unlock;
	}
	/*
	 * As upstream: the command is as long as its header says; bytes
	 * written past it are ignored (clients that write a fixed buffer
	 * rely on that).
	 */
	if (tpm_hdr_len(f->buf) < TPM_HEADER_SIZE ||
	    tpm_hdr_len(f->buf) > size) {
		rc = -EINVAL;
		goto out_unlock;
	}

	f->busy = true;
	if (nonblock) {
		queue_work(tpm_dev_wq, &f->nonblock_work);
		mutex_unlock(&f->lock);
		return size;
	}
	mutex_unlock(&f->lock);

	rc = tpm_file_run(f, false);
	return rc < 0 ? rc : size;

out_unlock:
	mutex_unlock(&f->lock);
	return rc;
}

static __poll_t tpm_poll(struct file *file, poll_table *wait)
{
	struct tpm_file *f = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, tpm_file_wq(f), wait);

	mutex_lock(&f->lock);
	if (f->result)
		mask = EPOLLIN | EPOLLRDNORM;
	else if (!f->busy)
		mask = EPOLLOUT | EPOLLWRNORM;
	mutex_unlock(&f->lock);

	if (tpm_chip_gone(f->chip))
		mask |= EPOLLHUP | EPOLLERR;
	return mask;
}

const struct file_operations tpm_fops = {
	.owner = THIS_MODULE,
	.open = tpm_open,
	.release = tpm_release,
	.read = tpm_read,
	.write = tpm_write,
	.poll = tpm_poll,
};

const struct file_operations tpmrm_fops = {
	.owner = THIS_MODULE,
	.open = tpm_rm_open,
	.release = tpm_rm_release,
	.read = tpm_read,
	.write = tpm_write,
	.poll = tpm_poll,
};

int tpm_dev_init(void)
{
	/*
	 * Per-CPU: an O_NONBLOCK command runs on the CPU that wrote it, where
	 * the writer is about to sleep in poll, rather than waking another.
	 */
	tpm_dev_wq = alloc_workqueue("tpm_dev_wq", 0, 0);
	return tpm_dev_wq ? 0 : -ENOMEM;
}

void tpm_dev_exit(void)
{
	destroy_workqueue(tpm_dev_wq);
}
