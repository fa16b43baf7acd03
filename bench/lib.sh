# shellcheck shell=bash disable=SC2034  # RUN_* and BENCH_* are outputs for the scripts that source this
# Helpers shared by the bench/*.sh scripts: logging, tool checks, a fresh loop-mounted ext4 image, timed runs,
# medians and number formatting. Source it from a script that runs with `set -euo pipefail`.

# Progress goes to stderr so that stdout carries only the report (`bench/x.sh > result.txt` keeps the table).
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

require_root() {
    [[ $EUID -eq 0 ]] || die "run as root: the benchmark data lives on a loop-mounted ext4 image (mount needs root)."
}

# ensure_tools COMMAND:PACKAGE... installs the packages whose command is missing, with one apt-get run.
# Nothing is installed when everything is there, so a second run touches no package state.
ensure_tools() {
    local spec missing=()
    for spec in "$@"; do
        command -v "${spec%%:*}" >/dev/null 2>&1 || missing+=("${spec#*:}")
    done
    ((${#missing[@]} == 0)) && return 0
    log "installing missing packages: ${missing[*]}"
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
}

# require_commands COMMAND... fails with one sentence when a command we never install ourselves is missing.
require_commands() {
    local command
    for command in "$@"; do
        command -v "$command" >/dev/null 2>&1 || die "'$command' is missing; install it and run again."
    done
}

# --- a fresh ext4 image per run --------------------------------------------------------------------------
# Why: the root file system here is ext4 with online discard, where creating files right after deleting others
# costs several times more kernel CPU (FIELD-NOTES, "Benchmark trap"). A new image mounted without discard
# gives every run the same clean file system, whatever ran before.

BENCH_IMAGE=""
BENCH_MOUNT=""

# mount_fresh_image IMAGE MOUNTPOINT SIZE_MIB INODES
mount_fresh_image() {
    local image=$1 mnt=$2 size_mib=$3 inodes=$4 free_mib
    if mountpoint -q "$mnt"; then
        die "$mnt is still mounted (an earlier run was killed?); run 'umount $mnt' and start again."
    fi
    mkdir -p "$(dirname "$image")" "$mnt"
    rm -f "$image"
    free_mib=$(df --output=avail -m "$(dirname "$image")" | tail -n 1 | tr -d ' ')
    ((free_mib > size_mib)) ||
        die "the image needs up to $size_mib MiB but $(dirname "$image") has $free_mib MiB free; free some space."
    truncate -s "${size_mib}M" "$image" # sparse: only what the benchmark writes takes disk space
    # -N: default ext4 gives one inode per 16 KiB, too few for many small files. -m 0: no root reserve.
    # lazy_*_init=0: initialise everything now, so no background ext4lazyinit thread writes during a timed run.
    mkfs.ext4 -q -F -m 0 -N "$inodes" -E lazy_itable_init=0,lazy_journal_init=0,nodiscard "$image"
    BENCH_IMAGE=$image
    BENCH_MOUNT=$mnt
    # `-o loop` sets autoclear: unmounting also frees the loop device.
    mount -o loop,nodiscard "$image" "$mnt"
    log "mounted fresh ext4 image $image ($size_mib MiB, $inodes inodes) at $mnt"
}

# unmount_image is safe to call twice and from an EXIT trap.
unmount_image() {
    [[ -n $BENCH_MOUNT ]] || return 0
    if mountpoint -q "$BENCH_MOUNT"; then
        # A child killed by Ctrl-C may hold files open for a moment: retry, then detach lazily.
        umount "$BENCH_MOUNT" 2>/dev/null || { sleep 2; umount "$BENCH_MOUNT" 2>/dev/null; } ||
            umount -l "$BENCH_MOUNT" || log "could not unmount $BENCH_MOUNT; run 'umount $BENCH_MOUNT'"
    fi
    rm -f "$BENCH_IMAGE"
    BENCH_MOUNT=""
    BENCH_IMAGE=""
}

# --- timing ---------------------------------------------------------------------------------------------

# timed_run PREFIX COMMAND... runs COMMAND with stdout in PREFIX.out and stderr in PREFIX.err, and sets
# RUN_SECONDS (wall clock, microsecond resolution), RUN_CPU_SECONDS (user + system) and RUN_RSS_MIB (peak RSS),
# both of the whole process tree, from GNU time. Returns COMMAND's exit status. Every side runs under the same
# wrapper, so it costs them alike. CPU time is reported too because it stays meaningful when other work shares
# the machine and stretches the wall clock.
timed_run() {
    local prefix=$1 start end status=0
    shift
    start=${EPOCHREALTIME//[.,]/}
    /usr/bin/time -f '%M %U %S' -o "$prefix.time" "$@" >"$prefix.out" 2>"$prefix.err" || status=$?
    end=${EPOCHREALTIME//[.,]/}
    RUN_SECONDS=$(awk -v us=$((end - start)) 'BEGIN { printf "%.3f", us / 1e6 }')
    # On failure GNU time writes "Command exited with non-zero status N" first: the numbers are the last line.
    RUN_RSS_MIB=$(awk 'END { printf "%.0f", $1 / 1024 }' "$prefix.time")
    RUN_CPU_SECONDS=$(awk 'END { printf "%.2f", $2 + $3 }' "$prefix.time")
    return "$status"
}

# load_average prints the 1-minute load average: above the core count, other work competes with the benchmark.
load_average() { cut -d' ' -f1 /proc/loadavg; }

# show_failure PREFIX logs the end of a failed run's stderr, where the reason usually is.
show_failure() {
    log "stderr of the failed run ($1.err), last lines:"
    tail -n 15 "$1.err" | sed 's/^/    /' >&2
}

# settle flushes dirty pages, so write-back left by one run (index files, a deleted .mirror/) never overlaps the
# next timed run. The page cache stays warm: nothing is dropped.
settle() { sync; }

# --- numbers ------------------------------------------------------------------------------------------------

# median VALUE... (the mean of the two middle values for an even count)
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# max VALUE...
max() { printf '%s\n' "$@" | sort -g | tail -n 1; }

# calc EXPRESSION [FORMAT] evaluates a floating-point awk expression, e.g. calc "1/3" %.2f
calc() { awk "BEGIN { printf \"${2:-%.3f}\", $1 }"; }

# json_field JSON KEY prints a string or number field of a flat one-line JSON object (no jq dependency).
json_field() {
    sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\(\"\([^\"]*\)\"\|\([-0-9.eE+]*\)\).*/\2\3/p" <<<"$1"
}
