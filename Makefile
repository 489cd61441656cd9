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

userspace:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# Every test: native, in the VM, the harness self-test and a DKMS build.
# One suite only: make check TESTS=vm (native, vm, harness, dkms).
check: deps
	$(MAKE) all test-modules
	tests/run $(TESTS)

# The ioctl fuzzer's long run and the kill -9 test in the VM (tests/fuzz/):
# make fuzz [SEED=n] [CALLS=n] [ROUNDS=n]; the seed is random unless given.
CALLS ?= 1000000
ROUNDS ?= 100
fuzz: all
	mkdir -p $(BUILD)/test-logs
	tools/vm run --timeout 0 --log $(BUILD)/test-logs/fuzz-long-dmesg.log \
		--modules "kernel/ocf.ko kernel/drivers/swcrypt/ocf_swcrypt.ko kernel/drivers/null/ocf_null.ko:instances=2" -- \
		tests/fuzz/run.sh --calls $(CALLS) --rounds $(ROUNDS) $(if $(SEED),--seed $(SEED))

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

.PHONY: all deps modules test-modules userspace check fuzz demo install clean
