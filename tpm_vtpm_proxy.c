// SPDX-License-Identifier: GPL-2.0-only
/*
 * vtpm proxy: a TPM whose device is a user-space process.
 *
 * VTPM_PROXY_IOC_NEW_DEV on /dev/vtpmx creates a chip and returns an
 * anonymous "server" file for it.  The server reads one request at a
 * time and writes the whole response back in one write.  Closing the
 * server file (or the server dying) unplugs the chip through
 * tpm_chip_unregister(), the same fence as any other driver.
 *
 * Each command moves through IDLE -> REQUEST (waiting for the server) ->
 * TAKEN (the server read it) -> RESPONSE (the server answered) -> IDLE.
 * The chip's recv sleeps until RESPONSE or the server leaves; it does not
 * poll.  A command that times out after the server took it leaves
 * @discard_response set: the late answer is dropped, and no new command is
 * accepted until it has come, so a response never reaches the wrong
 * command.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vtpm_proxy.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include "tpm.h"

enum vtpm_state {
	VTPM_IDLE,
	VTPM_REQUEST,
	VTPM_TAKEN,
	VTPM_RESPONSE,
};

/**
 * struct vtpm_dev - one proxied TPM
 * @chip:		the chip; this structure holds the allocation reference
 * @lock:		guards the fields from @server_open to @buf
 * @wq:			woken on every state change and when the server leaves
 * @server_open:	the server file is open and the chip may use it
 * @registered:		tpm_chip_register() succeeded
 * @state:		where the current command is
 * @discard_response:	the server owes an answer to a timed-out command
 * @driver_cmd:		the command being sent is the driver's own
 * @server_locality:	the locality the server was last told, or -1
 * @ordinal:		the current command's code, for its duration
 * @len:		bytes in @buf
 * @buf:		the request, then the response
 * @register_work:	registers the chip once the server can answer
 */
struct vtpm_dev {
	struct tpm_chip *chip;
	struct mutex lock;	/* see above */
	wait_queue_head_t wq;
	bool server_open;
	bool registered;
	enum vtpm_state state;
	bool discard_response;
	bool driver_cmd;
	int server_locality;
	u32 ordinal;
	size_t len;
	u8 buf[TPM_BUFSIZE];
	struct work_struct register_work;
};

static struct vtpm_dev *chip_vtpm(struct tpm_chip *chip)
{
	return dev_get_drvdata(&chip->dev);
}

static bool vtpm_is_set_locality(const u8 *buf, size_t count)
{
	return count >= TPM_HEADER_SIZE &&
	       tpm_hdr_code(buf) == TPM2_CC_SET_LOCALITY;
}

static int vtpm_send(struct tpm_chip *chip, u8 *buf, size_t count)
{
	struct vtpm_dev *vtpm = chip_vtpm(chip);
	int rc = 0;

	mutex_lock(&vtpm->lock);
	if (!vtpm->server_open)
		rc = -EPIPE;
	else if (!vtpm->driver_cmd && vtpm_is_set_locality(buf, count))
		rc = -EINVAL;
	else if (vtpm->state != VTPM_IDLE || vtpm->discard_response)
		rc = -EBUSY;
	if (!rc) {
		memcpy(vtpm->buf, buf, count);
		vtpm->len = count;
		vtpm->ordinal = tpm_hdr_code(buf);
		vtpm->state = VTPM_REQUEST;
	}
	mutex_unlock(&vtpm->lock);
	if (!rc)
		wake_up_all(&vtpm->wq);
	return rc;
}

static bool vtpm_answered(struct vtpm_dev *vtpm)
{
	return READ_ONCE(vtpm->state) == VTPM_RESPONSE ||
	       !READ_ONCE(vtpm->server_open);
}

static int vtpm_recv(struct tpm_chip *chip, u8 *buf, size_t bufsiz)
{
	struct vtpm_dev *vtpm = chip_vtpm(chip);
	unsigned long timeout = tpm_calc_ordinal_duration(chip, vtpm->ordinal);
	int rc;

	/* TASK_IDLE: a slow server is not a hung task, and no signal can
	 * leave the command half done.
	 */
	wait_event_idle_timeout(vtpm->wq, vtpm_answered(vtpm), timeout);

	mutex_lock(&vtpm->lock);
	if (vtpm->state == VTPM_RESPONSE) {
		rc = vtpm->len <= bufsiz ? vtpm->len : -EIO;
		if (rc > 0)
			memcpy(buf, vtpm->buf, vtpm->len);
	} else if (!vtpm->server_open) {
		rc = -ECANCELED;
	} else {
		if (vtpm->state == VTPM_TAKEN)
			vtpm->discard_response = true;
		rc = -ETIME;
	}
	vtpm->state = VTPM_IDLE;
	mutex_unlock(&vtpm->lock);
	return rc;
}

/* Tell the server which locality the next commands come from. */
static int vtpm_request_locality(struct tpm_chip *chip, int locality)
{
	struct vtpm_dev *vtpm = chip_vtpm(chip);
	struct tpm_cmd cmd;
	ssize_t rc;

	if (vtpm->server_locality == locality)
		return 0;

	/* The same ordinal for both families, each with its own tag. */
	rc = tpm_cmd_init(&cmd, chip->flags & TPM_CHIP_FLAG_TPM2 ?
			  TPM2_ST_SESSIONS : TPM_TAG_RQU_COMMAND,
			  TPM2_CC_SET_LOCALITY);
	if (rc)
		return rc;
	tpm_cmd_put_u8(&cmd, locality);

	mutex_lock(&vtpm->lock);
	vtpm->driver_cmd = true;
	mutex_unlock(&vtpm->lock);
	rc = tpm_cmd_run(chip, &cmd, 0, "vtpm set locality");
	mutex_lock(&vtpm->lock);
	vtpm->driver_cmd = false;
	mutex_unlock(&vtpm->lock);
	tpm_cmd_free(&cmd);

	if (rc)
		return rc < 0 ? rc : -EIO;
	vtpm->server_locality = locality;
	return 0;
}

static const struct tpm_class_ops vtpm_tpm_ops = {
	.send = vtpm_send,
	.recv = vtpm_recv,
	.request_locality = vtpm_request_locality,
};

static ssize_t vtpm_server_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *off)
{
	struct vtpm_dev *vtpm = file->private_data;
	ssize_t rc;

	mutex_lock(&vtpm->lock);
	while (vtpm->state != VTPM_REQUEST) {
		rc = -EPIPE;
		if (!vtpm->server_open)
			goto out_unlock;
		rc = -EAGAIN;
		if (file->f_flags & O_NONBLOCK)
			goto out_unlock;
		mutex_unlock(&vtpm->lock);
		if (wait_event_interruptible(vtpm->wq,
					     READ_ONCE(vtpm->state) == VTPM_REQUEST ||
					     !READ_ONCE(vtpm->server_open)))
			return -ERESTARTSYS;
		mutex_lock(&vtpm->lock);
	}

	rc = -EIO;
	if (vtpm->len > count)
		goto out_unlock;
	rc = -EFAULT;
	if (copy_to_user(ubuf, vtpm->buf, vtpm->len))
		goto out_unlock;
	rc = vtpm->len;
	vtpm->state = VTPM_TAKEN;
out_unlock:
	mutex_unlock(&vtpm->lock);
	return rc;
}

static ssize_t vtpm_server_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *off)
{
	struct vtpm_dev *vtpm = file->private_data;
	ssize_t rc;

	if (count > TPM_BUFSIZE)
		return -EIO;

	mutex_lock(&vtpm->lock);
	rc = -EPIPE;
	if (!vtpm->server_open)
		goto out_unlock;
	if (vtpm->discard_response) {
		/* The answer to a command that already timed out. */
		vtpm->discard_response = false;
		rc = count;
		goto out_unlock;
	}
	rc = -EBADMSG;
	if (vtpm->state != VTPM_TAKEN)
		goto out_unlock;
	rc = -EFAULT;
	if (copy_from_user(vtpm->buf, ubuf, count))
		goto out_unlock;
	vtpm->len = count;
	vtpm->state = VTPM_RESPONSE;
	rc = count;
out_unlock:
	mutex_unlock(&vtpm->lock);
	wake_up_all(&vtpm->wq);
	return rc;
}

static __poll_t vtpm_server_poll(struct file *file, poll_table *wait)
{
	struct vtpm_dev *vtpm = file->private_data;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &vtpm->wq, wait);
	mutex_lock(&vtpm->lock);
	if (vtpm->state == VTPM_REQUEST)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (!vtpm->server_open)
		mask |= EPOLLHUP | EPOLLERR;
	mutex_unlock(&vtpm->lock);
	return mask;
}

static void vtpm_server_gone(struct vtpm_dev *vtpm)
{
	mutex_lock(&vtpm->lock);
	vtpm->server_open = false;
	mutex_unlock(&vtpm->lock);
	wake_up_all(&vtpm->wq);
}

static int vtpm_server_release(struct inode *inode, struct file *file)
{
	struct vtpm_dev *vtpm = file->private_data;

	/* A command in flight ends now, with -ECANCELED. */
	vtpm_server_gone(vtpm);
	flush_work(&vtpm->register_work);
	if (vtpm->registered)
		tpm_chip_unregister(vtpm->chip);
	put_device(&vtpm->chip->dev);
	kfree(vtpm);
	return 0;
}

static const struct file_operations vtpm_server_fops = {
	.owner = THIS_MODULE,
	.read = vtpm_server_read,
	.write = vtpm_server_write,
	.poll = vtpm_server_poll,
	.release = vtpm_server_release,
};

static void vtpm_register_work(struct work_struct *work)
{
	struct vtpm_dev *vtpm = container_of(work, struct vtpm_dev,
					     register_work);
	int rc;

	rc = tpm_chip_register(vtpm->chip);
	if (rc) {
		dev_err(&vtpm->chip->dev, "registration failed: %d\n", rc);
		/* The server learns it from EPIPE on its next read. */
		vtpm_server_gone(vtpm);
		return;
	}
	vtpm->registered = true;
}

static struct vtpm_dev *vtpm_create(u32 flags)
{
	struct vtpm_dev *vtpm;
	struct tpm_chip *chip;

	vtpm = kzalloc(sizeof(*vtpm), GFP_KERNEL);
	if (!vtpm)
		return ERR_PTR(-ENOMEM);
	mutex_init(&vtpm->lock);
	init_waitqueue_head(&vtpm->wq);
	INIT_WORK(&vtpm->register_work, vtpm_register_work);
	vtpm->server_open = true;
	vtpm->server_locality = -1;

	chip = tpm_chip_alloc(NULL, &vtpm_tpm_ops);
	if (IS_ERR(chip)) {
		kfree(vtpm);
		return ERR_CAST(chip);
	}
	dev_set_drvdata(&chip->dev, vtpm);
	/* recv sleeps until the server answers: the core need not poll. */
	chip->flags |= TPM_CHIP_FLAG_VIRTUAL | TPM_CHIP_FLAG_IRQ;
	if (flags & VTPM_PROXY_FLAG_TPM2)
		chip->flags |= TPM_CHIP_FLAG_TPM2;
	vtpm->chip = chip;
	return vtpm;
}

static long vtpmx_new_dev(struct vtpm_proxy_new_dev __user *uarg)
{
	struct vtpm_proxy_new_dev arg;
	struct vtpm_dev *vtpm;
	struct file *file;
	int fd;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags & ~VTPM_PROXY_FLAG_TPM2)
		return -EOPNOTSUPP;

	vtpm = vtpm_create(arg.flags);
	if (IS_ERR(vtpm))
		return PTR_ERR(vtpm);

	fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
	if (fd < 0)
		goto err_vtpm;
	file = anon_inode_getfile("[vtpms]", &vtpm_server_fops, vtpm, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto err_vtpm;
	}

	arg.fd = fd;
	arg.tpm_num = vtpm->chip->dev_num;
	arg.major = MAJOR(vtpm->chip->dev.devt);
	arg.minor = MINOR(vtpm->chip->dev.devt);
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		put_unused_fd(fd);
		fput(file);	/* its release frees vtpm */
		return -EFAULT;
	}

	queue_work(system_long_wq, &vtpm->register_work);
	fd_install(fd, file);
	return 0;

err_vtpm:
	put_device(&vtpm->chip->dev);
	kfree(vtpm);
	return fd;
}

static long vtpmx_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case VTPM_PROXY_IOC_NEW_DEV:
		return vtpmx_new_dev((void __user *)arg);
	default:
		return -ENOIOCTLCMD;
	}
}

static const struct file_operations vtpmx_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vtpmx_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice vtpmx_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vtpmx",
	.fops = &vtpmx_fops,
};

module_misc_device(vtpmx_misc);
MODULE_DESCRIPTION("vtpm proxy: TPMs served by user-space processes");
MODULE_LICENSE("GPL");
