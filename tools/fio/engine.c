// SPDX-License-Identifier: GPL-2.0-only
/*
 * libfio_ocf.so: an external fio ioengine for /dev/ocf (issue 19).
 *
 *   ioengine=external:/path/to/libfio_ocf.so
 *
 * Each fio I/O is one crypto operation of bs bytes, in place in fio's
 * buffer: a write encrypts, a read decrypts. Each fio job (numjobs: one
 * per thread or process) opens its own /dev/ocf with its own session(s),
 * and keeps up to iodepth operations in flight through an io_uring ring
 * (backend=ring: ->queue is ocf_ring_prep(), ->commit ocf_ring_submit(),
 * ->getevents ocf_ring_reap()) or through OCF_IOC_SUBMIT/REAP
 * (backend=submit). Engine options (after ioengine= in the job file):
 *
 *   cipher=aes-128-cbc   the session's cipher: aes-{128,192,256}-{cbc,ctr},
 *                        3des-cbc, des-cbc, or any name libocf knows
 *                        with keysize= (bytes)
 *   producer=NAME[:NAME...]  pin the sessions: job i of numjobs on the
 *                        (i mod n)th name; empty: the policy chooses
 *   spread=op            instead, each job opens a session on every named
 *                        producer and sends its ops to them in turn
 *   backend=ring|submit  ring (default), or the SUBMIT/REAP ioctls
 *   sqpoll=1             the ring with IORING_SETUP_SQPOLL (slow at iodepth=1:
 *                        the kernel's thread sleeps between ops)
 *
 * Built against Debian's source of the installed fio (tools/fio/fio-source):
 * fio installs no engine headers, and the structs below are its own.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fio.h"
#include "optgroup.h"

#include <ocf/ocf.h>

#define OCF_FIO_MAX_PRODUCERS 16

struct ocf_fio_options {
	void *pad;	/* fio takes an option at offset 0 for "unset" */
	char *cipher;
	unsigned int keysize;
	char *producer;
	char *spread;
	char *backend;
	unsigned int sqpoll;
};

static struct fio_option options[] = {
	{
		.name = "cipher",
		.lname = "OCF session cipher",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct ocf_fio_options, cipher),
		.def = "aes-128-cbc",
		.help = "aes-128-cbc, aes-256-cbc, 3des-cbc, ... (see libocf's ocf_alg_name)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "keysize",
		.lname = "OCF cipher key bytes",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct ocf_fio_options, keysize),
		.def = "0",
		.help = "Key length in bytes (0: from the cipher's name)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "producer",
		.lname = "OCF producers",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct ocf_fio_options, producer),
		.help = "Producer names, ':' between them (empty: the policy chooses)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "spread",
		.lname = "OCF session spread",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct ocf_fio_options, spread),
		.def = "job",
		.help = "job: job i on producer i mod n; op: every job on every producer",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "backend",
		.lname = "OCF submission path",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct ocf_fio_options, backend),
		.def = "ring",
		.help = "ring (io_uring) or submit (OCF_IOC_SUBMIT/REAP)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "sqpoll",
		.lname = "OCF ring SQPOLL",
		.type = FIO_OPT_BOOL,
		.off1 = offsetof(struct ocf_fio_options, sqpoll),
		.def = "0",
		.help = "Poll the ring's submission queue from a kernel thread",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = NULL,
	},
};

/* Per io_u: the op's IV, which must stay valid until the op completes. */
struct ocf_fio_iou {
	unsigned char iv[OCF_MAX_IV_LEN];
};

struct ocf_fio_data {
	struct ocf_device *dev;
	struct ocf_ring *ring;		/* backend=ring */
	struct ocf_op *pending;		/* backend=submit: the queued ops */
	struct io_u **queued;		/* queued since the last commit */
	unsigned int npending;
	struct ocf_completion *done;	/* the last getevents' completions */
	unsigned int depth;
	uint32_t sessions[OCF_FIO_MAX_PRODUCERS];
	unsigned int nsessions, next_session;
	unsigned int skipped;		/* OCF_FIO_SKIP_EVERY builds only */
};

/*
 * The test suite's hostile build (tests/vm/fio.cpp) leaves every Nth op
 * out and still reports it done, to show that the byte-count check catches
 * an engine that lies.
 */
#ifndef OCF_FIO_SKIP_EVERY
#define OCF_FIO_SKIP_EVERY 0
#endif

static int ocf_fio_fail(struct thread_data *td, int err, const char *what)
{
	log_err("fio_ocf: %s: %s\n", what, ocf_strerror(err));
	td_verror(td, -err, what);
	return err;
}

/* "aes-128-cbc" is libocf's "aes-cbc" with a 16-byte key. */
static int ocf_fio_cipher(const struct ocf_fio_options *o, int *alg, unsigned int *keylen)
{
	char name[64];
	unsigned int bits = 0;
	const char *c = o->cipher ? o->cipher : "aes-128-cbc";
	char mode[32];

	if (sscanf(c, "aes-%u-%31s", &bits, mode) == 2) {
		snprintf(name, sizeof(name), "aes-%s", mode);
		*keylen = bits / 8;
	} else {
		snprintf(name, sizeof(name), "%s", c);
		*keylen = !strncmp(c, "3des", 4) ? 24 : !strncmp(c, "des", 3) ? 8 : 16;
	}
	if (o->keysize)
		*keylen = o->keysize;
	*alg = ocf_alg_from_name(name);
	return *alg < 0 ? *alg : 0;
}

/* The ids of the named producers, in the order named. */
static int ocf_fio_producers(struct ocf_device *dev, const char *names,
			     uint32_t *ids, unsigned int max)
{
	struct ocf_producer_info info[64];
	char *list, *save = NULL, *name;
	int n, found = 0, i;

	n = ocf_producers(dev, info, 64);
	if (n < 0)
		return n;
	if (n > 64)
		n = 64;
	list = strdup(names);
	if (!list)
		return -ENOMEM;
	for (name = strtok_r(list, ":", &save); name; name = strtok_r(NULL, ":", &save)) {
		if (found == (int)max)
			break;
		for (i = 0; i < n && strcmp(info[i].name, name); i++)
			;
		if (i == n) {
			log_err("fio_ocf: no producer named %s\n", name);
			free(list);
			return -ENOENT;
		}
		ids[found++] = info[i].id;
	}
	free(list);
	return found;
}

static int ocf_fio_sessions(struct thread_data *td, struct ocf_fio_data *d,
			    const struct ocf_fio_options *o)
{
	struct ocf_session_params p = { 0 };
	unsigned char key[OCF_MAX_KEY_LEN];
	uint32_t ids[OCF_FIO_MAX_PRODUCERS] = { 0 };
	unsigned int keylen, i, nids = 1;
	int alg, ret;

	ret = ocf_fio_cipher(o, &alg, &keylen);
	if (ret || keylen > sizeof(key))
		return ocf_fio_fail(td, ret ? ret : -EINVAL, "cipher");
	if (o->producer && *o->producer) {
		ret = ocf_fio_producers(d->dev, o->producer, ids, OCF_FIO_MAX_PRODUCERS);
		if (ret <= 0)
			return ocf_fio_fail(td, ret ? ret : -EINVAL, "producer");
		nids = (unsigned int)ret;
		if (!o->spread || strcmp(o->spread, "op")) {
			ids[0] = ids[td->subjob_number % nids];
			nids = 1;
		}
	}
	for (i = 0; i < keylen; i++)
		key[i] = (unsigned char)(0x11 * (i + 1));
	p.cipher = (uint32_t)alg;
	p.cipher_key = key;
	p.cipher_key_len = keylen;
	for (i = 0; i < nids; i++) {
		p.producer = ids[i];
		ret = ocf_session_new(d->dev, &p, &d->sessions[i], NULL);
		if (ret)
			return ocf_fio_fail(td, ret, "session");
		d->nsessions++;
	}
	return 0;
}

static void ocf_fio_cleanup(struct thread_data *td)
{
	struct ocf_fio_data *d = td->io_ops_data;

	if (!d)
		return;
	/* Waits for ops in flight: their buffers are fio's, freed after us. */
	ocf_ring_close(d->ring);
	/* Sessions die with the file. */
	ocf_device_close(d->dev);
	free(d->pending);
	free(d->queued);
	free(d->done);
	free(d);
	td->io_ops_data = NULL;
}

static int ocf_fio_init(struct thread_data *td)
{
	const struct ocf_fio_options *o = td->eo;
	struct ocf_fio_data *d;
	int ret;

	d = calloc(1, sizeof(*d));
	if (!d)
		return 1;
	td->io_ops_data = d;
	d->depth = td->o.iodepth ? td->o.iodepth : 1;
	d->done = calloc(d->depth, sizeof(*d->done));
	d->pending = calloc(d->depth, sizeof(*d->pending));
	d->queued = calloc(d->depth, sizeof(*d->queued));
	if (!d->done || !d->pending || !d->queued)
		goto fail;
	ret = ocf_device_open(NULL, &d->dev);
	if (ret) {
		ocf_fio_fail(td, ret, "open /dev/ocf");
		goto fail;
	}
	if (ocf_fio_sessions(td, d, o))
		goto fail;
	if (!o->backend || !strcmp(o->backend, "ring")) {
		ret = ocf_ring_open(d->dev, d->depth, o->sqpoll ? OCF_RING_SQPOLL : 0, &d->ring);
		if (ret) {
			ocf_fio_fail(td, ret, "ocf_ring_open");
			goto fail;
		}
	} else if (strcmp(o->backend, "submit")) {
		log_err("fio_ocf: backend=%s: ring or submit\n", o->backend);
		goto fail;
	}
	return 0;
fail:
	ocf_fio_cleanup(td);
	return 1;
}

static int ocf_fio_io_u_init(struct thread_data *td, struct io_u *io_u)
{
	struct ocf_fio_iou *u = calloc(1, sizeof(*u));
	unsigned int i;

	if (!u)
		return 1;
	for (i = 0; i < sizeof(u->iv); i++)
		u->iv[i] = (unsigned char)(io_u->index * 31 + i);
	io_u->engine_data = u;
	(void)td;
	return 0;
}

static void ocf_fio_io_u_free(struct thread_data *td, struct io_u *io_u)
{
	free(io_u->engine_data);
	io_u->engine_data = NULL;
	(void)td;
}

static enum fio_q_status ocf_fio_queue(struct thread_data *td, struct io_u *io_u)
{
	struct ocf_fio_data *d = td->io_ops_data;
	struct ocf_fio_iou *u = io_u->engine_data;
	struct ocf_op op;
	uint32_t dir;
	int ret;

	fio_ro_check(td, io_u);
	if (io_u->ddir == DDIR_WRITE)
		dir = OCF_OP_ENCRYPT;
	else if (io_u->ddir == DDIR_READ)
		dir = OCF_OP_DECRYPT;
	else
		return FIO_Q_COMPLETED;	/* sync, trim: nothing to do */
	if (io_u->xfer_buflen > UINT32_MAX) {
		io_u->error = EINVAL;
		return FIO_Q_COMPLETED;
	}
	if (OCF_FIO_SKIP_EVERY && ++d->skipped % OCF_FIO_SKIP_EVERY == 0)
		return FIO_Q_COMPLETED;

	ocf_op_cipher(&op, d->sessions[d->next_session], dir, io_u->xfer_buf, NULL,
		      (uint32_t)io_u->xfer_buflen, u->iv);
	d->next_session = (d->next_session + 1) % d->nsessions;
	op.tag = (uint64_t)(uintptr_t)io_u;

	if (d->npending == d->depth)
		return FIO_Q_BUSY;
	if (d->ring) {
		ret = ocf_ring_prep(d->ring, &op);
		if (ret == -EBUSY)
			return FIO_Q_BUSY;
		if (ret) {
			io_u->error = -ret;
			return FIO_Q_COMPLETED;
		}
	} else {
		d->pending[d->npending] = op;
	}
	d->queued[d->npending++] = io_u;
	return FIO_Q_QUEUED;
}

/*
 * The issue time of every queued io_u, taken before the ops go to the
 * module: with a synchronous producer the op may be done when the submit
 * returns, and its completion latency must include its trip through it.
 */
static void ocf_fio_issued(struct thread_data *td, struct ocf_fio_data *d)
{
	struct timespec now;
	unsigned int i;

	if (!fio_fill_issue_time(td))
		return;
	fio_gettime(&now, NULL);
	for (i = 0; i < d->npending; i++) {
		d->queued[i]->issue_time = now;
		io_u_queued(td, d->queued[i]);
	}
	if (td->o.read_iolog_file)
		td->last_issue = now;
}

static int ocf_fio_commit(struct thread_data *td)
{
	struct ocf_fio_data *d = td->io_ops_data;
	unsigned int n = d->npending;
	int ret;

	if (!n)
		return 0;
	ocf_fio_issued(td, d);
	if (d->ring)
		ret = ocf_ring_submit(d->ring);
	else
		ret = ocf_submit(d->dev, d->pending, n);
	if (ret < 0)
		return ocf_fio_fail(td, ret, d->ring ? "ocf_ring_submit" : "ocf_submit");
	io_u_mark_submit(td, (unsigned int)ret);
	d->npending = 0;
	return 0;
}

static int ocf_fio_getevents(struct thread_data *td, unsigned int min, unsigned int max,
			     const struct timespec *t)
{
	struct ocf_fio_data *d = td->io_ops_data;
	unsigned int i;
	int n;

	(void)t;
	if (max > d->depth)
		max = d->depth;
	if (d->ring)
		n = ocf_ring_reap(d->ring, d->done, max, min);
	else
		n = ocf_reap(d->dev, d->done, max, min);
	if (n < 0)
		return ocf_fio_fail(td, n, "reap");
	for (i = 0; i < (unsigned int)n; i++) {
		struct io_u *io_u = (struct io_u *)(uintptr_t)d->done[i].tag;

		io_u->error = d->done[i].status < 0 ? -d->done[i].status : 0;
		io_u->resid = io_u->error ? io_u->xfer_buflen : 0;
	}
	return n;
}

static struct io_u *ocf_fio_event(struct thread_data *td, int event)
{
	struct ocf_fio_data *d = td->io_ops_data;

	return (struct io_u *)(uintptr_t)d->done[event].tag;
}

/* No file is read or written: fio's "file" only names the I/O region. */
static int ocf_fio_open_file(struct thread_data *td, struct fio_file *f)
{
	(void)td;
	(void)f;
	return 0;
}

struct ioengine_ops ioengine = {
	.name = "ocf",
	.version = FIO_IOOPS_VERSION,
	.flags = FIO_DISKLESSIO | FIO_NOEXTEND | FIO_NODISKUTIL | FIO_ASYNCIO_SETS_ISSUE_TIME,
	.init = ocf_fio_init,
	.cleanup = ocf_fio_cleanup,
	.io_u_init = ocf_fio_io_u_init,
	.io_u_free = ocf_fio_io_u_free,
	.queue = ocf_fio_queue,
	.commit = ocf_fio_commit,
	.getevents = ocf_fio_getevents,
	.event = ocf_fio_event,
	.open_file = ocf_fio_open_file,
	.options = options,
	.option_struct_size = sizeof(struct ocf_fio_options),
};
