# SPDX-License-Identifier: GPL-2.0
# The kernel to build against. Both may be overridden; the default is the
# release of Debian's installed linux-headers-amd64.
KERNELRELEASE ?= $(patsubst linux-headers-%,%,$(firstword $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null)))
KDIR ?= /usr/src/linux-headers-$(KERNELRELEASE)
