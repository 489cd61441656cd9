// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions: refcounted, remembered in full so that they can be rebuilt on
 * another producer when theirs goes away.
 */

#include <linux/err.h>
#include <linux/export.h>
#include <linux/lockdep.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "policy.h"
#include "producer.h"
#include "session.h"

static int ocf_session_check_params(struct ocf_session_params *params,
				    const struct ocf_alg_info **cipher,
				    const struct ocf_alg_info **mac)
{
	const struct ocf_alg_info *c = NULL, *m = NULL;
	u32 full;

	if (params->flags & ~OCF_SESSION_FLAGS)
		return -EINVAL;
	if (params->cipher == OCF_ALG_NONE && params->mac == OCF_ALG_NONE)
		return -EINVAL;
	if (params->cipher != OCF_ALG_NONE) {
		c = ocf_alg_info(params->cipher);
		if (!c || (c->kind != OCF_KIND_CIPHER && c->kind != OCF_KIND_AEAD))
			return -EOPNOTSUPP;
		if (params->cipher_key_len > OCF_MAX_KEY_LEN ||
		    !(c->key_lens & BIT_ULL(params->cipher_key_len)))
			return -EINVAL;
	} else if (params->cipher_key_len) {
		return -EINVAL;
	}
	if (params->mac != OCF_ALG_NONE) {
		m = ocf_alg_info(params->mac);
		if (!m || (m->kind != OCF_KIND_HMAC && m->kind != OCF_KIND_HASH))
			return -EOPNOTSUPP;
		if (c && c->kind == OCF_KIND_AEAD)
			return -EOPNOTSUPP;
		if (params->mac_key_len > OCF_MAX_MAC_KEY_LEN ||
		    (m->kind == OCF_KIND_HASH && params->mac_key_len))
			return -EINVAL;
	} else if (params->mac_key_len) {
		return -EINVAL;
	}
	if ((params->flags & OCF_SESSION_MAC_THEN_CIPHER) && !(c && m))
		return -EINVAL;

	full = m ? m->digest_len : c->digest_len;
	if (!full) {
		if (params->mac_len)
			return -EINVAL;
	} else if (!params->mac_len) {
		params->mac_len = full;
	} else if (params->mac_len > full) {
		return -EINVAL;
	} else if (c && c->kind == OCF_KIND_AEAD && params->mac_len < 12 &&
		   params->mac_len != 4 && params->mac_len != 8) {
		/* GCM's tag lengths (NIST SP 800-38D, 5.2.1.2) */
		return -EINVAL;
	}
	*cipher = c;
	*mac = m;
	return 0;
}

static int ocf_session_bind_one(struct ocf_session *s, struct ocf_producer *p)
{
	struct ocf_binding *b;
	int ret;

	lockdep_assert_held(&ocf_lock);
	b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b)
		return -ENOMEM;
	ret = p->ops->newsession(p, &s->params, &b->priv);
	if (ret) {
		kfree(b);
		return ret;
	}
	b->producer = p;
	b->session = s;
	list_add_tail(&b->pnode, &p->sessions);
	p->nsessions++;
	s->bindings[s->nbindings++] = b;
	return 0;
}

/*
 * Sets @s up on the pinned producer, else on those the policy picks. Fails
 * only when it could be set up on none.
 */
static int ocf_session_attach(struct ocf_session *s, bool honour_pin)
{
	struct ocf_producer *chosen[OCF_MAX_BINDINGS];
	int ret = -EOPNOTSUPP;
	u32 n, i;

	lockdep_assert_held(&ocf_lock);
	if (honour_pin && s->params.producer) {
		chosen[0] = ocf_producer_find(s->params.producer);
		if (!chosen[0])
			return -ENOENT;
		if (!ocf_producer_can_serve(chosen[0], &s->params))
			return -EOPNOTSUPP;
		n = 1;
	} else {
		n = ocf_policy_bind(&s->params, chosen, OCF_MAX_BINDINGS);
	}
	for (i = 0; i < n; i++) {
		int err = ocf_session_bind_one(s, chosen[i]);

		if (err)
			ret = err;
	}
	return s->nbindings ? 0 : ret;
}

static void ocf_binding_free(struct ocf_binding *b)
{
	struct ocf_producer *p = b->producer;

	lockdep_assert_held(&ocf_lock);
	p->ops->freesession(p, b->priv);
	list_del(&b->pnode);
	p->nsessions--;
	kfree(b);
}

static void ocf_session_detach(struct ocf_session *s)
{
	lockdep_assert_held(&ocf_lock);
	while (s->nbindings)
		ocf_binding_free(s->bindings[--s->nbindings]);
}

/**
 * ocf_session_new() - create a session
 * @params: what it does; copied, so the caller may zeroize its copy at once
 *
 * The session is set up on the producer the load-balancing policy picks
 * (or on @params->producer when that is set). May sleep.
 *
 * Return: the session, or ERR_PTR(-EINVAL) for bad parameters,
 * -EOPNOTSUPP when no producer can serve them, -ENOENT for an unknown pinned
 * producer, -ENOMEM, or the producer's error.
 */
struct ocf_session *ocf_session_new(const struct ocf_session_params *params)
{
	struct ocf_session *s;
	int ret;

	/* Charged to the caller's memory cgroup: user space makes sessions. */
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->params = *params;
	ret = ocf_session_check_params(&s->params, &s->cipher, &s->mac);
	if (ret)
		goto err_free;
	kref_init(&s->ref);
	init_rwsem(&s->rwsem);
	ret = ocf_counters_init(&s->counters);
	if (ret)
		goto err_free;

	mutex_lock(&ocf_lock);
	ret = ocf_session_attach(s, true);
	mutex_unlock(&ocf_lock);
	if (ret)
		goto err_free_counters;
	return s;

err_free_counters:
	ocf_counters_free(&s->counters);
err_free:
	memzero_explicit(&s->params, sizeof(s->params));
	kfree(s);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(ocf_session_new);

static void ocf_session_release(struct kref *ref)
{
	struct ocf_session *s = container_of(ref, struct ocf_session, ref);

	mutex_lock(&ocf_lock);
	ocf_session_detach(s);
	mutex_unlock(&ocf_lock);
	ocf_counters_free(&s->counters);
	memzero_explicit(&s->params, sizeof(s->params));
	kfree(s);
}

/* May sleep: the last reference frees the producer's state. */
void ocf_session_put(struct ocf_session *s)
{
	might_sleep();
	kref_put(&s->ref, ocf_session_release);
}

/**
 * ocf_session_free() - drop the creator's reference to a session
 * @s: the session
 *
 * Requests still in flight keep it alive until they complete; then its
 * producer state is released and its keys are zeroized. May sleep.
 */
void ocf_session_free(struct ocf_session *s)
{
	ocf_session_put(s);
}
EXPORT_SYMBOL_GPL(ocf_session_free);

/**
 * ocf_session_params() - the parameters a session was created with
 * @s: the session
 *
 * Return: its parameters, with mac_len resolved.
 */
const struct ocf_session_params *ocf_session_params(const struct ocf_session *s)
{
	return &s->params;
}
EXPORT_SYMBOL_GPL(ocf_session_params);

/*
 * Takes @s off the producer of @b, which has no request in flight. If that
 * was its last producer, @s is rebuilt from its saved parameters on those the
 * policy picks now; with none left, its requests fail with -ENODEV.
 */
void ocf_session_unbind(struct ocf_session *s, struct ocf_binding *b)
{
	u32 i;

	lockdep_assert_held(&ocf_lock);
	down_write(&s->rwsem);
	for (i = 0; i < s->nbindings && s->bindings[i] != b; i++)
		;
	if (!WARN_ON_ONCE(i == s->nbindings)) {
		memmove(&s->bindings[i], &s->bindings[i + 1],
			(s->nbindings - i - 1) * sizeof(s->bindings[0]));
		s->nbindings--;
		ocf_binding_free(b);
		atomic64_inc(&s->counters.migrations);
		if (!s->nbindings)
			ocf_session_attach(s, false);
		for (i = 0; i < s->nbindings; i++)
			atomic64_inc(&s->bindings[i]->producer->counters->migrations);
	}
	up_write(&s->rwsem);
}

/* The producer the session prefers (its first binding); 0 when none is left. */
u32 ocf_session_producer_id(struct ocf_session *s)
{
	u32 id;

	mutex_lock(&ocf_lock);
	id = s->nbindings ? s->bindings[0]->producer->id : 0;
	mutex_unlock(&ocf_lock);
	return id;
}

void ocf_session_fill_info(struct ocf_session *s, struct ocf_session_info *info)
{
	ocf_counters_read(&s->counters, &info->stats);
	info->stats.sessions = 1;
	info->cipher = s->params.cipher;
	info->mac = s->params.mac;
	info->flags = s->params.flags;
	info->producer = ocf_session_producer_id(s);
}
