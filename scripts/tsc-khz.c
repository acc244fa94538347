// SPDX-License-Identifier: GPL-2.0
/*
 * tsc-khz: the host's TSC frequency in kHz, measured over 200 ms against
 * CLOCK_MONOTONIC_RAW. Without -icount, QEMU TCG's guest TSC is the host's
 * TSC; a guest on a busy host often fails to calibrate it against the PIT
 * and falls back to the jiffies clocksource (4 ms steps), so the wall-clock
 * benchmark passes this value as tsc_early_khz=.
 */
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_RAW, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void)
{
	struct timespec d = { 0, 200000000 };
	double t0 = now();
	unsigned long long c0 = __rdtsc();

	nanosleep(&d, NULL);
	printf("%.0f\n", (__rdtsc() - c0) / (now() - t0) / 1000);
	return 0;
}
