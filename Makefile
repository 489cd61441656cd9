# OCF for Linux: top-level build. `make check` and `make demo` install what
# they need first (tools/deps), so both work on a fresh Debian 12 machine.
include kernel/kdir.mk
BUILD ?= build
JOBS ?= $(shell nproc)

all: modules userspace

deps:
	tools/deps

modules:
	$(MAKE) -C kernel KERNELRELEASE=$(KERNELRELEASE) KDIR=$(KDIR) modules

test-modules:
	$(MAKE) -C tests/kmod KERNELRELEASE=$(KERNELRELEASE) KDIR=$(KDIR) modules

userspace:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# Every test: native, in the VM, the harness self-test and a DKMS build.
# One suite only: make check TESTS=vm (native, vm, harness, dkms).
check: deps
	$(MAKE) all test-modules
	tests/run $(TESTS)

# The vm and hifn suites (and fuzz, where tests/run has it) in a VM running
# the debug kernel (KASAN, lockdep, kmemleak...: tools/debug-kernel), built
# once and cached, with our modules built against it in a copy of the sources.
DEBUG_SUITES ?= vm hifn fuzz
DEBUG_MODULES = $(abspath $(BUILD))/debug-kernel-modules
check-debug: deps
	$(MAKE) all
	OCF_DEBUG_MODULES=$(DEBUG_MODULES) tools/debug-kernel modules
	OCF_VM_KERNEL=debug OCF_MODULE_DIR=$(DEBUG_MODULES)/kernel tests/run \
		$$(for s in $(DEBUG_SUITES); do grep -q "^suite_$$s()" tests/run && echo $$s; done)

demo: deps
	$(MAKE) all
	tools/demo

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel modules_install
	depmod -a $(KERNELRELEASE)
	cmake --install $(BUILD)

clean:
	$(MAKE) -C kernel clean
	$(MAKE) -C tests/kmod clean
	rm -rf $(BUILD)

.PHONY: all deps modules test-modules userspace check check-debug demo install clean
