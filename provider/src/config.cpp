// SPDX-License-Identifier: LGPL-2.1-or-later
// The provider's configuration (mode, threshold, debug) and its debug
// messages.
#include "prov.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <strings.h>
#include <unistd.h>

namespace ocfprov {
namespace {

bool g_debug = false;

bool parse_mode(const char *s, Mode *out)
{
	if (!s)
		return false;
	if (!strcasecmp(s, "auto"))
		*out = Mode::Auto;
	else if (!strcasecmp(s, "always"))
		*out = Mode::Always;
	else if (!strcasecmp(s, "never"))
		*out = Mode::Never;
	else
		return false;
	return true;
}

// Bytes, with an optional k/K or m/M suffix (powers of 1024).
bool parse_size(const char *s, std::size_t *out)
{
	if (!s || !*s)
		return false;
	char *end = nullptr;
	unsigned long long v = std::strtoull(s, &end, 10);
	if (end == s)
		return false;
	if (*end == 'k' || *end == 'K')
		v *= 1024, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1024 * 1024, end++;
	if (*end)
		return false;
	*out = static_cast<std::size_t>(v);
	return true;
}

bool parse_bool(const char *s)
{
	return s && (!strcmp(s, "1") || !strcasecmp(s, "yes") || !strcasecmp(s, "true") ||
		     !strcasecmp(s, "on"));
}

} // namespace

const char *mode_name(Mode m)
{
	return m == Mode::Always ? "always" : m == Mode::Never ? "never" : "auto";
}

// The configuration: the provider's openssl.cnf section, then the
// environment (which wins).
Config read_config(const OSSL_CORE_HANDLE *handle, OSSL_FUNC_core_get_params_fn *c_get_params)
{
	Config c;
	const char *mode = nullptr, *threshold = nullptr, *dbg = nullptr;
	if (c_get_params) {
		OSSL_PARAM params[] = {
			OSSL_PARAM_utf8_ptr("mode", const_cast<char **>(&mode), 0),
			OSSL_PARAM_utf8_ptr("threshold", const_cast<char **>(&threshold), 0),
			OSSL_PARAM_utf8_ptr("debug", const_cast<char **>(&dbg), 0),
			OSSL_PARAM_END,
		};
		c_get_params(handle, params);
	}
	if (parse_bool(dbg) || parse_bool(std::getenv("OCF_PROVIDER_DEBUG")))
		g_debug = c.debug = true;
	if (mode && !parse_mode(mode, &c.mode))
		debug("config: unknown mode \"%s\" (auto, always, never): using auto", mode);
	if (threshold && !parse_size(threshold, &c.threshold))
		debug("config: bad threshold \"%s\"", threshold);
	if (const char *e = std::getenv("OCF_PROVIDER_MODE"))
		if (!parse_mode(e, &c.mode))
			debug("OCF_PROVIDER_MODE: unknown mode \"%s\"", e);
	if (const char *e = std::getenv("OCF_PROVIDER_THRESHOLD"))
		if (!parse_size(e, &c.threshold))
			debug("OCF_PROVIDER_THRESHOLD: bad size \"%s\"", e);
	return c;
}

bool debug_enabled()
{
	return g_debug;
}

void debug(const char *fmt, ...)
{
	if (!g_debug)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	std::vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	std::fprintf(stderr, "ocf-provider[%d]: %s\n", static_cast<int>(getpid()), msg);
}

} // namespace ocfprov
