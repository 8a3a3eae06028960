// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "tool.h"

static struct {
	int shown;
	int drawn;
	uint64_t files, bytes;
	uint64_t last_ns;
} p;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void progress_init(enum progress_mode mode)
{
	p.shown = mode == PROGRESS_ON ||
		  (mode == PROGRESS_AUTO && isatty(STDERR_FILENO));
	p.drawn = 0;
	p.files = p.bytes = 0;
	p.last_ns = 0;
}

static void draw(const char *end)
{
	fprintf(stderr, "\r%s: %llu files, %.1f MiB%s", tool_name,
		(unsigned long long)p.files, (double)p.bytes / (1 << 20), end);
	fflush(stderr);
	p.drawn = 1;
}

void progress_add(uint64_t files, uint64_t bytes)
{
	uint64_t t;

	p.files += files;
	p.bytes += bytes;
	if (!p.shown)
		return;
	t = now_ns();
	if (t - p.last_ns < 100000000ull)
		return;
	p.last_ns = t;
	draw("");
}

void progress_done(void)
{
	if (p.shown)
		draw("\n");
}
