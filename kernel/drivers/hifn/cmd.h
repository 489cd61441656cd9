/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command buffers out, result buffers in.
 */
#ifndef _HIFN_CMD_H
#define _HIFN_CMD_H

#include <linux/types.h>

struct hifn_dev;
struct hifn_cmd;

u32 hifn_cmd_build(struct hifn_dev *hd, const struct hifn_cmd *cmd);
int hifn_cmd_status(struct hifn_dev *hd, const struct hifn_cmd *cmd);
const u8 *hifn_cmd_mac(struct hifn_dev *hd, const struct hifn_cmd *cmd);
void hifn_cmd_scrub(struct hifn_dev *hd, const struct hifn_cmd *cmd);

#endif /* _HIFN_CMD_H */
