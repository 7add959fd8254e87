# dma-heap-owner: build, boot and test the tracker kernel.
#
#   make run  [CMD='...']   boot the tracker kernel and run CMD (default: the demo)
#   make test [SUITE=name] [KUNIT=glob] [DEBUG=1]
#                           build everything, run every suite, print N passed, N failed
#   make check              checkpatch --strict, sparse, W=1 and kernel-doc on our files
#   make bench              the benchmark (see Documentation/dma-buf-heaps/)
#
# BUILD is where the kernel trees, binaries and logs go (git ignores build/).

BUILD ?= $(CURDIR)/build
VARIANT := $(if $(filter 1,$(DEBUG)),debug,base)
KTREE := $(BUILD)/linux-$(VARIANT)
export CCACHE_DIR ?= $(HOME)/.cache/dma-heap-owner-ccache

.PHONY: all deps kernel userspace test run check bench clean

all: kernel userspace

deps:
	@bash tests/deps.sh

kernel: deps
	@bash tests/kernel.sh $(VARIANT) $(BUILD)

userspace: kernel
	@bash tests/build-user.sh $(BUILD) $(VARIANT)

test: userspace
	@bash tests/run-tests.sh $(BUILD) $(VARIANT) '$(SUITE)' '$(KUNIT)'

# make run's command, handed to tests/run.sh through the environment so
# that any quoting survives
CMD ?= bash $(CURDIR)/tests/demo.sh
export CMD
run: userspace
	@bash tests/run.sh $(BUILD) $(VARIANT)

check: kernel
	@bash tests/check.sh $(KTREE)

bench: deps
	@python3 tests/bench.py $(BUILD)

clean:
	rm -rf $(BUILD)
