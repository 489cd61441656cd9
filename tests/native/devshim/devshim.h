// The test double of /dev/ocf (ocf_devshim.cpp), seen from a test: when the
// process runs under it (LD_PRELOAD), dlsym(RTLD_DEFAULT, OCF_DEVSHIM_CONTROL)
// finds its control function.
//
//   long ocf_devshim_control(const char *what, long value);
//
// what: "fail_run" (every operation's status becomes -value; 0 = off),
// "fail_after" (that many operations still succeed first), "fail_run_ioctl"
// (RUN/SUBMIT themselves fail with -value), "fail_session_new", "unplugged"
// (the producer is gone: no producer listed, sessions -EOPNOTSUPP, operations
// -ENODEV), "absent" (open fails with ENOENT), "hardware" (the producer is
// flagged OCF_PRODUCER_HARDWARE), "skip_crypto" (operations succeed without
// touching their data), "max_len", "session_new_delay_us" (each
// SESSION_NEW takes that long: a race window), "reset"; queries (value
// ignored): "open_files" (device files open now, all processes),
// "files_here" (in this process). Returns 0, the query's answer, or -EINVAL.
#ifndef OCF_TESTS_DEVSHIM_H
#define OCF_TESTS_DEVSHIM_H

#define OCF_DEVSHIM_CONTROL "ocf_devshim_control"

#ifdef __cplusplus
extern "C" {
#endif
typedef long (*ocf_devshim_control_fn)(const char *what, long value);
#ifdef __cplusplus
}
#endif

#endif
