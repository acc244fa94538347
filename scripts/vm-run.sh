#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-run.sh [-t SECONDS] [-n NAME] JOB
# Boot the KERNEL=plain|debug kernel under QEMU (TCG) with the project's
# initramfs plus JOB as /job.sh, print the job's output live, keep logs in
# BUILD_DIR/runs/NAME, check the kernel log for reports, and exit with the
# job's status (non-zero also for a report, a leak, a crash or a timeout).
# ICOUNT=1 runs one vCPU with the guest clock counting instructions
# (-icount shift=0,sleep=off): guest time no longer depends on host load,
# which is what benchmark ratios need.
set -euo pipefail
. "$(dirname "$0")/env.sh"

# VM_ARGS adds QEMU options after the usual ones (later ones win),
# KERNEL_ARGS kernel parameters, as scripts/pair-run.sh does.
timeout=1800
name=
while getopts t:n: o; do
	case $o in
	t) timeout=$OPTARG ;;
	n) name=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
job=${1:?usage: vm-run.sh [-t SECONDS] [-n NAME] JOB}
name=${name:-$(basename "$job" .sh)-$KERNEL}
run=$BUILD_DIR/runs/$name
rm -rf "$run"
mkdir -p "$run/job"
install -m755 "$job" "$run/job/job.sh"
(cd "$run/job" && echo job.sh | cpio -o -H newc --quiet) | gzip -1 >"$run/job.cpio.gz"
cat "$BUILD_DIR/initramfs-$KERNEL.cpio.gz" "$run/job.cpio.gz" >"$run/initrd"

# CPUS vCPUs (default 2; 1 when counting instructions: two, run in turn
# by one thread, made the benchmark's guest crawl, 1.5 s of guest time in
# 4 min), one per socket: the kernels have no ACPI and find CPUs in
# SeaBIOS's MP table, which lists one CPU per socket (QEMU 7.2's plain
# "-smp 2" is one socket of two cores, and the guest came up with one CPU).
accel=(-accel tcg,thread=multi)
cpus=${CPUS:-2}
if [ "${ICOUNT:-0}" = 1 ]; then
	accel=(-accel tcg,thread=single -icount shift=0,sleep=off)
	cpus=1
fi
echo "vm: booting the $KERNEL kernel ($(cat "$BUILD_DIR/kernel-version")), job $job, logs in $run"
set +e
timeout -k 10 "$timeout" qemu-system-x86_64 \
	-machine pc "${accel[@]}" -smp "$cpus,sockets=$cpus" -m 2048 \
	-kernel "$OBJ/arch/x86/boot/bzImage" -initrd "$run/initrd" \
	-append "console=ttyS0 panic=-1 rdinit=/init tsc=reliable${KERNEL_ARGS:+ $KERNEL_ARGS}" \
	-display none -monitor none -no-reboot -nodefaults \
	-serial file:"$run/console.log" -serial stdio ${VM_ARGS:-} </dev/null |
	tee "$run/output.log"
qemu_rc=${PIPESTATUS[0]}
set -e

rc=$(sed -n 's/^@@GUEST-EXIT \([0-9]*\).*/\1/p' "$run/output.log" | tail -n1)
python3 "$REPO/scripts/check-guest-log.py" "$run/console.log" >"$run/guest-log-check" || true
cat "$run/guest-log-check"
if [ -z "$rc" ]; then
	[ "$qemu_rc" = 124 ] && echo "vm: timed out after $timeout s" ||
		echo "vm: the guest ended without reporting (qemu $qemu_rc); kernel log: $run/console.log"
	exit 1
fi
grep -q '^clean' "$run/guest-log-check" || exit 1
if grep -q '^@@KMEMLEAK-SUSPECTS' "$run/output.log"; then
	echo "vm: kmemleak reports suspected leaks (see $run/output.log)"
	exit 1
fi
exit "$rc"
