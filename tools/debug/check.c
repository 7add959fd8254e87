// SPDX-License-Identifier: GPL-2.0
/*
 * dma-heap-owner check: run CMD, pass the signals a CI job sends on to it,
 * and count the violations its process tree raised and the reports they
 * left, against the counters and the ring before it ran.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "check.h"
#include "commands.h"
#include "common.h"
#include "trace.h"

/* What check passes on to CMD: a CI job's timeout sends SIGTERM. */
static const int fwd_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/*
 * Shared with the signal handler, which runs with the others blocked; the
 * main flow writes @target with them blocked too, and reads @first once
 * CMD is gone.
 */
static struct {
	int target;			/* kill() it: CMD, or -its group; 0 if none */
	int pending;			/* a signal that came before CMD did */
	int first;			/* the first signal passed on, for the result */
	int last;			/* the last one passed on, and when */
	struct timespec last_ts;
	bool tty;			/* CMD is in our terminal's foreground group */
	int wake[2];			/* SIGCHLD wakes the main loop through it */
} fwd = { .wake = { -1, -1 } };

static void fwd_handler(int sig, siginfo_t *si, void *uc)
{
	struct timespec now;
	int saved = errno;
	long long ns;
	ssize_t n;

	(void)uc;
	if (sig == SIGCHLD) {
		n = write(fwd.wake[1], "", 1);
		(void)n;
		goto out;
	}
	/* the terminal signals its foreground group: CMD had it too */
	if (fwd.tty && si->si_code == SI_KERNEL)
		goto out;
	/* timeout(1) signals its child, then its process group: pass it on once */
	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (now.tv_sec - fwd.last_ts.tv_sec) * 1000000000LL + now.tv_nsec - fwd.last_ts.tv_nsec;
	if (sig == fwd.last && ns < 1000000000LL)
		goto out;
	fwd.last = sig;
	fwd.last_ts = now;
	if (!__atomic_load_n(&fwd.first, __ATOMIC_SEQ_CST))
		__atomic_store_n(&fwd.first, sig, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&fwd.target, __ATOMIC_SEQ_CST))
		kill(fwd.target, sig);
	else
		__atomic_store_n(&fwd.pending, sig, __ATOMIC_SEQ_CST);
out:
	errno = saved;
}

/*
 * The handler for the signals to pass on and for SIGCHLD; SIGPIPE
 * ignored.  @old gets what was there: CMD gets it back.
 */
#define FWD_NSIGS	(ARRAY_SIZE(fwd_sigs) + 2)

static int fwd_sig(unsigned int i)
{
	if (i < ARRAY_SIZE(fwd_sigs))
		return fwd_sigs[i];
	return i == ARRAY_SIZE(fwd_sigs) ? SIGCHLD : SIGPIPE;
}

static void fwd_install(struct sigaction *old, sigset_t *set)
{
	struct sigaction sa = { .sa_sigaction = fwd_handler };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	unsigned int i;

	sigemptyset(set);
	for (i = 0; i < FWD_NSIGS - 1; i++)
		sigaddset(set, fwd_sig(i));
	sa.sa_mask = *set;
	sigemptyset(&ign.sa_mask);
	for (i = 0; i < FWD_NSIGS; i++) {
		sa.sa_flags = SA_SIGINFO | (fwd_sig(i) == SIGCHLD ? SA_NOCLDSTOP : 0);
		sigaction(fwd_sig(i), fwd_sig(i) == SIGPIPE ? &ign : &sa, &old[i]);
	}
}

static void fwd_restore(const struct sigaction *old)
{
	unsigned int i;

	for (i = 0; i < FWD_NSIGS; i++)
		sigaction(fwd_sig(i), &old[i], NULL);
}

/*
 * Is check in the foreground of a terminal?  Then CMD stays in our process
 * group, so that it can read the terminal and gets Ctrl-C from it as it
 * would alone.  Otherwise CMD gets a group of its own, and check passes
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT on to all of it, once.
 */
static bool check_tty(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (isatty(fd) && tcgetpgrp(fd) == getpgrp())
			return true;
	return false;
}

/* CMD's side of the fork: wait until it is traced, then exec. */
static void check_child(const struct check_opts *o, int go[2], int errfd,
			const sigset_t *mask, const struct sigaction *old)
{
	ssize_t n;
	char c;
	int err;

	fwd_restore(old);
	close(go[1]);
	if (!fwd.tty)
		setpgid(0, 0);
	/* if check dies (SIGKILL), CMD hears of it */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	sigprocmask(SIG_SETMASK, mask, NULL);
	do {
		n = read(go[0], &c, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(127);		/* check gave up before starting it */
	if (o->fmt == FMT_TEXT || dup2(STDERR_FILENO, STDOUT_FILENO) >= 0)
		execvp(o->argv[0], o->argv);
	err = errno;
	n = write(errfd, &err, sizeof(err));
	_exit(127);
}

/* Wait for CMD, reading the trace meanwhile. */
static int check_wait(pid_t pid, int *status, struct tree_trace *tt, const sigset_t *block)
{
	struct pollfd pfd[2];
	sigset_t saved;
	char drain[64];
	pid_t r;

	for (;;) {
		sigprocmask(SIG_BLOCK, block, &saved);
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)		/* never signal a reused pid */
			__atomic_store_n(&fwd.target, 0, __ATOMIC_SEQ_CST);
		sigprocmask(SIG_SETMASK, &saved, NULL);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return env_error("waitpid: %s", strerror(errno));
		pfd[0].fd = fwd.wake[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = tt->ti.fd;
		pfd[1].events = POLLIN;
		poll(pfd, tt->ti.fd >= 0 ? 2 : 1, 200);
		while (read(fwd.wake[0], drain, sizeof(drain)) > 0)
			;
		tree_read(tt);
	}
}

/* The counters' rise, system-wide and as CMD's tree saw it; the new reports. */
static int check_tally(struct check_result *cr, struct tree_trace *tt,
		       struct reports *old, struct reports *now)
{
	unsigned int i, j;

	for (i = 0; i < cr->after.n; i++) {
		long long before = 0;

		for (j = 0; j < cr->before.n; j++)
			if (!strcmp(cr->before.name[j], cr->after.name[i]))
				before = cr->before.val[j];
		if (cr->after.val[i] < before) {
			cr->reset = true;
			before = 0;
		}
		cr->sys_delta[i] = cr->after.val[i] - before;
		cr->sys_total += cr->sys_delta[i];
	}

	cr->lost = tt->ti.lost;
	cr->tree = tt->on && !tt->ti.lost;
	if (tt->on && tt->ti.lost)
		snprintf(cr->why, sizeof(cr->why),
			 "%lld trace events were lost, the count of its own is short", tt->ti.lost);
	else if (!tt->on)
		snprintf(cr->why, sizeof(cr->why), "%s", tt->why);
	for (i = 0; i < cr->after.n; i++) {
		cr->delta[i] = cr->sys_delta[i];
		if (!cr->tree)
			goto add;
		cr->delta[i] = 0;
		for (j = 0; j < tt->classes->n; j++)
			if (!strcmp(tt->classes->name[j], cr->after.name[i]))
				cr->delta[i] = tt->count[j];
add:
		cr->total += cr->delta[i];
	}

	/* new reports: compare by content (each carries its number) */
	cr->fresh.text = calloc(now->n ?: 1, sizeof(char *));
	if (!cr->fresh.text)
		return env_error("out of memory");
	for (i = 0; i < now->n; i++) {
		if (reports_has(old, now->text[i]))
			continue;
		if (cr->tree && !tree_owns(tt, now->text[i])) {
			cr->elsewhere++;
			continue;
		}
		cr->fresh.text[cr->fresh.n++] = now->text[i];
		now->text[i] = NULL;
	}

	if (cr->total)
		cr->ret = EXIT_VIOLATIONS;
	else if (cr->exit_status)
		cr->ret = EXIT_CMD_FAILED;
	else
		cr->ret = EXIT_CLEAN;
	return 0;
}

int cmd_check(const struct check_opts *o)
{
	struct sigaction old_sa[FWD_NSIGS];
	struct check_result *cr;
	struct reports old = { 0 }, now = { 0 };
	struct tree_trace *tt = NULL;
	int go[2] = { -1, -1 }, errp[2] = { -1, -1 };
	int status = 0, err = 0, ret, i;
	bool installed = false;
	sigset_t block, mask, run;
	ssize_t n = 0;
	pid_t pid;

	last_error.defer = true;
	cr = calloc(1, sizeof(*cr));
	tt = calloc(1, sizeof(*tt));
	if (!cr || !tt) {
		ret = env_error("out of memory");
		goto out;
	}
	cr->o = o;
	tt->ti.fd = -1;
	tt->classes = &cr->before;
	if (pipe2(fwd.wake, O_CLOEXEC | O_NONBLOCK)) {
		ret = env_error("pipe: %s", strerror(errno));
		goto out;
	}
	/*
	 * From here a signal to pass on waits for CMD: until the fork it is
	 * noted, then blocked until the child can take it before its exec.
	 */
	fwd_install(old_sa, &block);
	/* CMD gets the mask we got; we take the signals we handle, even if blocked */
	sigprocmask(SIG_UNBLOCK, &block, &mask);
	sigprocmask(SIG_BLOCK, NULL, &run);
	installed = true;
	ret = tracker_open(true);
	if (!ret)
		ret = read_counts(&cr->before);
	if (!ret)
		ret = read_reports(&old);
	if (ret)
		goto out;

	if (pipe2(go, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
		ret = env_error("pipe: %s", strerror(errno));
		goto out;
	}
	sigprocmask(SIG_BLOCK, &block, NULL);
	fwd.tty = check_tty();
	tree_open(tt);

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		ret = env_error("fork: %s", strerror(errno));
		goto out;
	}
	if (!pid)
		check_child(o, go, errp[1], &mask, old_sa);
	close(go[0]);
	close(errp[1]);
	go[0] = -1;
	errp[1] = -1;
	if (!fwd.tty)
		setpgid(pid, pid);
	__atomic_store_n(&fwd.target, fwd.tty ? pid : -pid, __ATOMIC_SEQ_CST);
	if (fwd.pending)	/* CMD dies before its exec, as it would have */
		kill(fwd.target, fwd.pending);
	tree_start(tt, pid);
	n = write(go[1], "g", 1);
	close(go[1]);
	go[1] = -1;
	sigprocmask(SIG_SETMASK, &run, NULL);

	do {
		n = read(errp[0], &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	ret = check_wait(pid, &status, tt, &block);
	if (ret)
		goto out;
	tree_read(tt);
	tinst_close(&tt->ti);
	if (n == sizeof(err)) {
		ret = env_error("cannot run '%s': %s", o->argv[0], strerror(err));
		goto out;
	}

	if (WIFSIGNALED(status)) {
		cr->signal = WTERMSIG(status);
		cr->exit_status = 128 + cr->signal;
	} else {
		cr->exit_status = WEXITSTATUS(status);
	}
	cr->forwarded = __atomic_load_n(&fwd.first, __ATOMIC_SEQ_CST);

	ret = read_counts(&cr->after);
	if (!ret)
		ret = read_reports(&now);
	if (!ret)
		ret = check_tally(cr, tt, &old, &now);
	if (ret)
		goto out;

	switch (o->fmt) {
	case FMT_JSON:
		check_print_json(cr);
		break;
	case FMT_KTAP:
		check_print_ktap(cr);
		break;
	default:
		check_print_text(cr);
		break;
	}
	fflush(stdout);
	ret = cr->ret;

out:
	if (ret != EXIT_CLEAN && ret != EXIT_VIOLATIONS && ret != EXIT_CMD_FAILED)
		check_print_error(o, ret);
	if (tt) {
		tinst_close(&tt->ti);
		free(tt->ev);
		free(tt);
	}
	if (installed) {
		__atomic_store_n(&fwd.target, 0, __ATOMIC_SEQ_CST);
		fwd_restore(old_sa);
		sigprocmask(SIG_SETMASK, &mask, NULL);
	}
	for (i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (fwd.wake[i] >= 0)
			close(fwd.wake[i]);
		fwd.wake[i] = -1;
	}
	reports_free(&old);
	reports_free(&now);
	if (cr)
		reports_free(&cr->fresh);
	free(cr);
	last_error.defer = false;
	return ret;
}
