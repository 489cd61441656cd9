# OCF for Linux: top-level build. `make check` and `make demo` install what
# they need first (tools/deps), so both work on a fresh Debian 12 machine.
include kernel/kdir.mk
BUILD ?= build
JOBS ?= $(shell nproc)

all: modules userspace

deps:
	tools/deps

# Warnings are errors in our own builds; not in what DKMS builds on a
# user's machine, where a newer compiler's new warning must not stop a
# kernel upgrade.
modules:
	$(MAKE) -C kernel KERNELRELEASE=$(KERNELRELEASE) KDIR=$(KDIR) KCFLAGS=-Werror modules

test-modules:
	$(MAKE) -C tests/kmod KERNELRELEASE=$(KERNELRELEASE) KDIR=$(KDIR) modules

# USERSPACE_TARGETS: cmake targets to build (default: all of them).
userspace:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j$(JOBS) $(if $(USERSPACE_TARGETS),--target $(USERSPACE_TARGETS))

# Every test: native, in the VM, the harness self-test and a DKMS build.
# One suite only: make check TESTS=vm (native, vm, harness, dkms).
check: deps
	$(MAKE) all test-modules
	tests/run $(TESTS)

# The vm and hifn suites (and fuzz, where tests/run has it) in a VM running
# the debug kernel (KASAN, lockdep, kmemleak...: tools/debug-kernel), built
# once and cached, with our modules built against it in a copy of the sources.
DEBUG_SUITES ?= vm hifn ubsec fuzz
DEBUG_MODULES = $(abspath $(BUILD))/debug-kernel-modules
check-debug: deps
	$(MAKE) all
	OCF_DEBUG_MODULES=$(DEBUG_MODULES) tools/debug-kernel modules
	OCF_VM_KERNEL=debug OCF_MODULE_DIR=$(DEBUG_MODULES)/kernel tests/run \
		$$(for s in $(DEBUG_SUITES); do grep -q "^suite_$$s()" tests/run && echo $$s; done)

# The ioctl fuzzer's long run and the kill -9 test in the VM (tests/fuzz/):
# make fuzz [SEED=n] [CALLS=n] [ROUNDS=n] [KERNEL=debug]; the seed is random
# unless given; KERNEL=debug runs it on the debug kernel.
CALLS ?= 1000000
ROUNDS ?= 100
KERNEL ?= production
FUZZ_MODDIR = $(if $(filter debug,$(KERNEL)),$(DEBUG_MODULES)/kernel,kernel)
fuzz: all
	mkdir -p $(BUILD)/test-logs
	$(if $(filter debug,$(KERNEL)),OCF_DEBUG_MODULES=$(DEBUG_MODULES) tools/debug-kernel modules)
	OCF_VM_KERNEL=$(KERNEL) OCF_MODULE_DIR=$(FUZZ_MODDIR) tools/vm run --timeout 0 \
		--log $(BUILD)/test-logs/fuzz-long-dmesg.log --modules "$(FUZZ_MODDIR)/ocf.ko \
		$(FUZZ_MODDIR)/drivers/swcrypt/ocf_swcrypt.ko $(FUZZ_MODDIR)/drivers/null/ocf_null.ko:instances=2" -- \
		tests/fuzz/run.sh --calls $(CALLS) --rounds $(ROUNDS) $(if $(SEED),--seed $(SEED))

# The demo builds only what it runs (tools/demo, demo-guest, demo-nginx): the
# kernel modules, ocfctl (with libocf) and the provider ocf.so; no test suites.
DEMO_TARGETS = ocfctl ocf_provider
demo: deps
	$(MAKE) modules
	$(MAKE) userspace USERSPACE_TARGETS="$(DEMO_TARGETS)"
	BUILD=$(abspath $(BUILD)) tools/demo

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel modules_install
	depmod -a $(KERNELRELEASE)
	cmake --install $(BUILD)

clean:
	$(MAKE) -C kernel clean
	$(MAKE) -C tests/kmod clean
	rm -rf $(BUILD)

.PHONY: all deps modules test-modules userspace check check-debug fuzz demo install clean
