/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OCF_SELFTEST_H
#define OCF_SELFTEST_H

int ocf_selftest_run(void);

#endif /* OCF_SELFTEST_H */
