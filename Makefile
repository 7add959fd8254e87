# dma-heap-owner: build, boot and test the tracker kernel.
#
#   make run  [CMD='...']   boot the tracker kernel and run CMD (default: the demo)
#                           as root in the VM; CMD is any shell command, taken
#                           as written: `$d` reaches the shell (no `$$`)
#   make test [SUITE=name[,name...]] [KUNIT=glob] [DEBUG=1]
#                           build everything, run every suite, print N passed, N failed, N skipped
#   KERNEL=6.1|6.12         the base for any of these (default 6.1): Debian's
#                           linux-source-<KERNEL> with the same overlay
#   ARCH=x86_64|arm64       the architecture (default x86_64); arm64 is
#                           cross-built and boots in qemu-system-aarch64
#   make check              checkpatch --strict, sparse, W=1 and kernel-doc on our files
#   make bench              the benchmark (see README.md, "Performance")
#   make patches            a format-patch series against the base: build/patches-<KERNEL>/
#   make patches-test       apply it to a fresh pristine tree, build every prefix
#   make help               this text
#   make -C tools/debug     the CLI alone [CROSS_COMPILE=...] [STATIC=1]
#
# BUILD is where the kernel trees, binaries and logs go (git ignores build/).

BUILD ?= $(CURDIR)/build
VARIANT := $(if $(filter 1,$(DEBUG)),debug,base)
KERNEL ?= 6.1
ifeq ($(filter 6.1 6.12,$(KERNEL)),)
$(error KERNEL=$(KERNEL): the bases are 6.1 and 6.12)
endif
ARCH ?= x86_64
ifeq ($(filter x86_64 arm64,$(ARCH)),)
$(error ARCH=$(ARCH): the architectures are x86_64 and arm64)
endif
# The build's name: its tree is $(BUILD)/linux-$(NAME), its binaries
# $(BUILD)/$(NAME).  6.1's and x86_64's names carry no prefix.
NAME := $(if $(filter arm64,$(ARCH)),arm64-)$(if $(filter 6.12,$(KERNEL)),6.12-)$(VARIANT)
KTREE := $(BUILD)/linux-$(NAME)
export CCACHE_DIR ?= $(HOME)/.cache/dma-heap-owner-ccache

.PHONY: all deps kernel userspace test run check bench patches patches-test clean

all: kernel userspace

deps:
	@bash tests/deps.sh $(ARCH)

kernel: deps
	@bash tests/kernel.sh $(NAME) $(BUILD)

userspace: kernel
	@bash tests/build-user.sh $(BUILD) $(NAME)

# The summary's self-test first, on the host: a summary that can lie is
# worse than none.  It needs the unpacked tree's kunit.py, hence after
# kernel.  Then the harness's: a skip in a fixture setup skips the body
# (tests/harness_skip_test.c, built with the suites).
# DHO_ALLOW_SKIP=suite,... lets those suites skip every case.
test: userspace
	@python3 tests/summarize_test.py $(KTREE)
	@bash tests/harness-skip-check.sh $(BUILD)/$(NAME)/host/harness_skip_test
	@bash tests/run-tests.sh $(BUILD) $(NAME) '$(SUITE)' '$(KUNIT)'

# make run's command, as written: $(value CMD) is not expanded by make, so
# `$d` reaches the shell.  It goes to tests/run.sh in the environment of
# that one recipe.  Variables given on make's command line (CMD=, DEBUG=1,
# ...) are this Makefile's alone: MAKEOVERRIDES empty keeps them out of
# the MAKEFLAGS that the kernel's own makes inherit (tests/kernel.sh, the
# module build), where words of CMD such as --json read as options.
MAKEOVERRIDES :=
unexport CMD
run_cmd = $(if $(filter undefined file,$(origin CMD)),bash $(CURDIR)/tests/demo.sh,$(value CMD))
run: userspace
	@CMD='$(subst ','\'',$(run_cmd))' bash tests/run.sh $(BUILD) $(NAME)

.PHONY: help
help:
	@sed -n '1,/^$$/s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

check: kernel
	@bash tests/check.sh $(KTREE)

bench: deps
	@python3 tests/bench.py $(BUILD) $(KERNEL) $(ARCH)

# The series is made from the committed tree (HEAD), not the working tree;
# tests/patches-test.sh $(KERNEL) applies it and builds every prefix.
patches: deps
	@bash tests/patches.sh $(KERNEL) $(BUILD)/patches-$(KERNEL)

patches-test: patches
	@bash tests/patches-test.sh $(KERNEL) $(BUILD)/patches-$(KERNEL)

clean:
	rm -rf $(BUILD)
