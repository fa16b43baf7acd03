#!/usr/bin/env bash
# Scan benchmark (the index issue): mirror's scan beside the tools a user would compare it with, on the same
# data, in the same run, warm cache.
#   1. first scan of BIG_MIB MiB of incompressible files  vs  openssl dgst -sha256 over the same files
#   2. no-change rescan of SMALL_FILES small files          vs  rsync -an --delete against an identical copy
#   3. first scan of the small files with -Xmx128m          must finish; time and peak RSS
# Each measurement: one warm-up repetition, then the median of --reps repetitions, each from the same state.
# Exit status: 0 when everything ran (a missed target is reported, not an error), 1 when a run or a
# correctness check failed, 2 for a usage error. See bench/README.md.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$SCRIPT_DIR/lib.sh"

# Java 17 decodes file names with the locale's charset: under C/POSIX, names like "café" cannot be opened.
# The data set has such names, so every run gets a UTF-8 locale (C.UTF-8 ships with glibc on Debian).
export LC_ALL=C.UTF-8

REPS=3
SMALL_FILES=200000
BIG_MIB=1024
BIG_FILE_MIB=64
MIRROR_BIN=${MIRROR_BIN:-$REPO/bin/mirror}
CALLER_JAVA_OPTS=${MIRROR_JAVA_OPTS-}
CAPPED_JAVA_OPTS=-Xmx128m

WORK=$SCRIPT_DIR/work
MNT=$WORK/mnt
IMAGE=$WORK/scan.img
LOGS=$WORK/logs

ROWS=()     # report table rows, tab-separated: metric, mirror, reference, ratio, target, result
DETAILS=()  # one line per measurement with every repetition's number
FAILURES=() # runs or checks that failed: the exit status is 1 if any

usage() {
    cat <<EOF
Usage: bench/scan.sh [--reps N] [--small-files N] [--big-mib N]

Runs as root. Builds a fresh ext4 image under bench/work/, generates the data, and prints a table.
  --reps N          timed repetitions per measurement, after one warm-up (default $REPS)
  --small-files N   files in the small tree (default $SMALL_FILES; directories: N/100)
  --big-mib N       MiB in the big data set, in files of $BIG_FILE_MIB MiB (default $BIG_MIB)
Environment:
  MIRROR_BIN        the mirror launcher to test (default: <repo>/bin/mirror)
  MIRROR_JAVA_OPTS  passed through to measurements 1 and 2; measurement 3 uses $CAPPED_JAVA_OPTS instead
Quick smoke run: bench/scan.sh --small-files 2000 --big-mib 64 --reps 1
EOF
}

parse_args() {
    while (($#)); do
        case $1 in
            --reps | --small-files | --big-mib)
                [[ ${2-} =~ ^[1-9][0-9]*$ ]] || { echo "$1 needs a positive integer" >&2; usage >&2; exit 2; }
                case $1 in
                    --reps) REPS=$2 ;;
                    --small-files) SMALL_FILES=$2 ;;
                    --big-mib) BIG_MIB=$2 ;;
                esac
                shift 2
                ;;
            -h | --help) usage; exit 0 ;;
            *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
        esac
    done
}

main() {
    parse_args "$@"
    require_root
    [[ -x $MIRROR_BIN ]] || die "$MIRROR_BIN is missing or not executable; build the project or set MIRROR_BIN."
    require_commands java mkfs.ext4 mount umount mountpoint sync
    ensure_tools rsync:rsync openssl:openssl /usr/bin/time:time

    trap unmount_images EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    rm -rf "$LOGS"
    mkdir -p "$LOGS"
    START_LOAD=$(load_average) # before our own work raises it
    mount_fresh_image "$IMAGE" "$MNT" "$(image_size_mib)" "$(image_inodes)"
    generate_data

    print_header
    bench_big_first_scan
    bench_small_rescan
    bench_small_first_scan_capped
    log_image_use "$MNT"
    print_report
    exit_on_failures
}

# Room for both trees, the rsync copy, mirror's index (generously 2 KiB a file) and fixed ext4 overhead.
# The image is sparse: only what is written takes disk space.
image_size_mib() {
    local small_kib=$((SMALL_FILES * (2 * 12 + 2))) # small + copy: 8 KiB at most + inode/dir share, + index
    echo $((BIG_MIB + BIG_MIB / 10 + small_kib / 1024 + 1024))
}

image_inodes() {
    echo $((SMALL_FILES * 25 / 10 + 20000)) # small + copy (files and dirs) + index files, with room
}

generate_data() {
    log "generating data (not timed)"
    java "$SCRIPT_DIR/GenerateTree.java" big "$MNT/big" --mib "$BIG_MIB" --file-mib "$BIG_FILE_MIB" >&2
    java "$SCRIPT_DIR/GenerateTree.java" small "$MNT/small" --files "$SMALL_FILES" >&2
    BIG_FILES=("$MNT"/big/*.bin)
    BIG_BYTES=$((BIG_MIB * 1024 * 1024))
    # Counted by find, independently of the generator, to check what mirror reports.
    SMALL_BYTES=$(find "$MNT/small" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    SMALL_DIRS=$(find "$MNT/small" -mindepth 1 -type d | wc -l)
    settle
}

print_header() {
    local home commit jar cpu ram_gib tools
    home=$(dirname "$(dirname "$(readlink -f "$MIRROR_BIN")")")
    commit=$(git -C "$home" describe --always --dirty 2>/dev/null || echo unknown)
    # The checkout may have moved on since the jar was built: its date tells which build ran.
    jar=$(date -r "$home/target/mirror.jar" '+%Y-%m-%d %H:%M' 2>/dev/null || echo unknown)
    cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p')
    ram_gib=$(free -g | awk '/^Mem:/ { print $2 }')
    # sed, not head: head exits early, the writer gets SIGPIPE, and pipefail turns that into a failure.
    tools="$(java -version 2>&1 | sed -n 1p); $(openssl version | cut -d' ' -f1-2)"
    tools+="; $(rsync --version | sed -n 1p | awk '{ print $1, $3 }')"
    echo "mirror scan benchmark — $(date '+%Y-%m-%d %H:%M %Z') on $(hostname)"
    echo "  machine : $(nproc) cores, $cpu, $ram_gib GiB RAM, kernel $(uname -r)"
    echo "  mirror  : $MIRROR_BIN (checkout at $commit, target/mirror.jar built $jar)"
    echo "            MIRROR_JAVA_OPTS='${CALLER_JAVA_OPTS}' for 1 and 2, '$CAPPED_JAVA_OPTS' for 3"
    echo "  tools   : $tools"
    echo "  data    : big = $BIG_MIB MiB in ${#BIG_FILES[@]} file(s);" \
        "small = $SMALL_FILES files, $SMALL_DIRS dirs, $SMALL_BYTES bytes"
    echo "            on a fresh loop-mounted ext4 image, warm page cache"
    echo "  reps    : 1 warm-up + median of $REPS"
    echo "  load    : $START_LOAD at start ($(nproc) cores)"
    echo
}

# run_mirror NAME DIR JAVA_OPTS: one timed `mirror scan DIR --json`. Sets SCAN_ROOT, SCAN_FILES, SCAN_DIRS,
# SCAN_BYTES from its JSON line, plus RUN_SECONDS and RUN_RSS_MIB. Returns non-zero, with the reason logged, if
# it failed or printed no JSON.
run_mirror() {
    local name=$1 dir=$2 java_opts=$3 json
    if ! timed_run "$LOGS/$name" env MIRROR_JAVA_OPTS="$java_opts" "$MIRROR_BIN" scan "$dir" --json; then
        log "mirror scan ($name) failed: $(grep -v '^[0-9. ]*$' "$LOGS/$name.time" | sed -n 1p)"
        show_failure "$LOGS/$name"
        return 1
    fi
    json=$(grep '^{' "$LOGS/$name.out" | tail -n 1 || true)
    SCAN_ROOT=$(json_field "$json" root)
    SCAN_FILES=$(json_field "$json" files)
    SCAN_DIRS=$(json_field "$json" dirs)
    SCAN_BYTES=$(json_field "$json" bytes)
    if [[ -z $SCAN_ROOT || -z $SCAN_FILES || -z $SCAN_BYTES ]]; then
        log "mirror scan ($name) printed no {\"root\",\"files\",\"dirs\",\"bytes\"} line; stdout was:"
        head -c 500 "$LOGS/$name.out" >&2
        return 1
    fi
}

# check_counts WHAT FILES DIRS BYTES: a scan that missed files would look fast for the wrong reason.
# "dirs" may or may not count the root itself; both are accepted.
check_counts() {
    local what=$1 files=$2 dirs=$3 bytes=$4
    if [[ $SCAN_FILES != "$files" || $SCAN_BYTES != "$bytes" ]]; then
        log "CHECK FAILED: mirror scan of $what reported files=$SCAN_FILES bytes=$SCAN_BYTES," \
            "expected files=$files bytes=$bytes"
        return 1
    fi
    if [[ $SCAN_DIRS != "$dirs" && $SCAN_DIRS != "$((dirs + 1))" ]]; then
        log "warning: mirror scan of $what reported dirs=$SCAN_DIRS, expected $dirs (or $((dirs + 1)) with the root)"
    fi
}

# --- 1. first scan of the big files vs openssl ---------------------------------------------------------------

bench_big_first_scan() {
    local dir=$MNT/big rep t_mirror t_openssl mirror_times=() openssl_times=() mirror_cpu=() openssl_cpu=()
    local mirror_rss=()
    log "1/3 first scan of $BIG_MIB MiB vs openssl dgst -sha256"
    for ((rep = 0; rep <= REPS; rep++)); do # rep 0 is the warm-up
        # A first scan: no index yet. The identity (key pair and certificate, made once per folder on first use
        # and by `mirror id`) stays: making it is not indexing, and costs the cold JVM about half a second.
        rm -rf "$dir/.mirror/index"
        settle
        if ! run_mirror "big-first-$rep" "$dir" "$CALLER_JAVA_OPTS" ||
            ! check_counts "big" "${#BIG_FILES[@]}" 0 "$BIG_BYTES"; then
            error_row "1 first scan, big" "mirror scan failed (see log)"
            return
        fi
        ((rep > 0)) && mirror_times+=("$RUN_SECONDS") && mirror_cpu+=("$RUN_CPU_SECONDS") &&
            mirror_rss+=("$RUN_RSS_MIB")
        t_mirror=$RUN_SECONDS
        settle
        if ! timed_run "$LOGS/big-openssl-$rep" openssl dgst -sha256 "${BIG_FILES[@]}"; then
            show_failure "$LOGS/big-openssl-$rep"
            error_row "1 first scan, big" "openssl failed (see log)"
            return
        fi
        ((rep > 0)) && openssl_times+=("$RUN_SECONDS") && openssl_cpu+=("$RUN_CPU_SECONDS")
        log "  $(rep_label "$rep"): mirror $t_mirror s, openssl $RUN_SECONDS s"
    done
    t_mirror=$(median "${mirror_times[@]}")
    t_openssl=$(median "${openssl_times[@]}")
    local mb_mirror mb_openssl ratio
    mb_mirror=$(calc "$BIG_BYTES / $t_mirror / 1e6" %.0f)
    mb_openssl=$(calc "$BIG_BYTES / $t_openssl / 1e6" %.0f)
    ratio=$(calc "$t_openssl / $t_mirror" %.2f) # = mirror throughput / openssl throughput
    row "1 first scan, big $BIG_MIB MiB: time" "$t_mirror s" "$t_openssl s (openssl)" "" "" ""
    row "1 first scan, big: throughput" "$mb_mirror MB/s" "$mb_openssl MB/s" "$ratio" ">= 1.0" \
        "$(verdict "$ratio >= 1.0")"
    row "1 first scan, big: peak RSS" "$(max "${mirror_rss[@]}") MiB" "" "" "" ""
    DETAILS+=("1 big first scan       wall s: mirror ${mirror_times[*]} | openssl ${openssl_times[*]}")
    DETAILS+=("                       CPU s:  mirror ${mirror_cpu[*]} | openssl ${openssl_cpu[*]}")
}

# --- 2. no-change rescan of the small tree vs rsync dry run --------------------------------------------------

bench_small_rescan() {
    local dir=$MNT/small copy=$MNT/copy first_root rep t_mirror mirror_times=() rsync_times=() mirror_cpu=()
    local rsync_cpu=() mirror_rss=() rsync_rss=()
    log "2/3 rescan of $SMALL_FILES unchanged files vs rsync -an --delete"
    rm -rf "$dir/.mirror"
    settle
    if ! run_mirror "small-first" "$dir" "$CALLER_JAVA_OPTS" ||
        ! check_counts "small" "$SMALL_FILES" "$SMALL_DIRS" "$SMALL_BYTES"; then
        error_row "2 rescan, small" "first scan failed (see log)"
        return
    fi
    first_root=$SCAN_ROOT
    log "  first scan (not timed) took $RUN_SECONDS s, root $first_root"
    # The copy is made after the first scan so that small/'s own mtime already includes creating .mirror/.
    # Both sides skip mirror's state: rsync does not have to walk what mirror never scans.
    [[ -d $copy ]] || rsync -a --exclude=/.mirror/ "$dir/" "$copy/"
    settle
    for ((rep = 0; rep <= REPS; rep++)); do
        settle
        if ! run_mirror "small-rescan-$rep" "$dir" "$CALLER_JAVA_OPTS"; then
            error_row "2 rescan, small" "mirror rescan failed (see log)"
            return
        fi
        if [[ $SCAN_ROOT != "$first_root" ]]; then
            log "!!!!!!!! CHECK FAILED: the rescan of an unchanged tree printed root $SCAN_ROOT," \
                "but the first scan printed $first_root !!!!!!!!"
            error_row "2 rescan root == first-scan root" "DIFFERENT (see log)"
            return
        fi
        check_counts "small (rescan)" "$SMALL_FILES" "$SMALL_DIRS" "$SMALL_BYTES" ||
            { error_row "2 rescan, small" "wrong counts (see log)"; return; }
        ((rep > 0)) && mirror_times+=("$RUN_SECONDS") && mirror_cpu+=("$RUN_CPU_SECONDS") &&
            mirror_rss+=("$RUN_RSS_MIB")
        t_mirror=$RUN_SECONDS
        settle
        # -i lists every change it would make: empty output proves the reference found nothing to do.
        if ! timed_run "$LOGS/small-rsync-$rep" rsync -ani --delete --exclude=/.mirror/ "$dir/" "$copy/"; then
            show_failure "$LOGS/small-rsync-$rep"
            error_row "2 rescan, small" "rsync failed (see log)"
            return
        fi
        if [[ -s $LOGS/small-rsync-$rep.out ]]; then
            log "CHECK FAILED: rsync found differences between small/ and its copy:"
            head -n 5 "$LOGS/small-rsync-$rep.out" >&2
            error_row "2 rescan, small" "the rsync copy is not identical"
            return
        fi
        ((rep > 0)) && rsync_times+=("$RUN_SECONDS") && rsync_cpu+=("$RUN_CPU_SECONDS") &&
            rsync_rss+=("$RUN_RSS_MIB")
        log "  $(rep_label "$rep"): mirror $t_mirror s, rsync $RUN_SECONDS s"
    done
    local t_rsync ratio
    t_mirror=$(median "${mirror_times[@]}")
    t_rsync=$(median "${rsync_times[@]}")
    ratio=$(calc "$t_mirror / $t_rsync" %.2f)
    row "2 rescan, small $SMALL_FILES files, no change: time" "$t_mirror s" "$t_rsync s (rsync -an)" "$ratio" \
        "<= 2.0" "$(verdict "$ratio <= 2.0")"
    row "2 rescan root == first-scan root" "equal" "" "" "equal" "pass"
    row "2 rescan: peak RSS" "$(max "${mirror_rss[@]}") MiB" "$(max "${rsync_rss[@]}") MiB (rsync)" "" "" ""
    DETAILS+=("2 small rescan         wall s: mirror ${mirror_times[*]} | rsync ${rsync_times[*]}")
    DETAILS+=("                       CPU s:  mirror ${mirror_cpu[*]} | rsync ${rsync_cpu[*]}")
}

# --- 3. first scan of the small tree with a 128 MiB heap -----------------------------------------------------

bench_small_first_scan_capped() {
    local dir=$MNT/small rep times=() cpu=() rss=()
    log "3/3 first scan of $SMALL_FILES files with MIRROR_JAVA_OPTS=$CAPPED_JAVA_OPTS"
    for ((rep = 0; rep <= REPS; rep++)); do
        rm -rf "$dir/.mirror/index" # the identity stays, as in measurement 1
        settle
        if ! run_mirror "small-capped-$rep" "$dir" "$CAPPED_JAVA_OPTS"; then
            error_row "3 first scan, small, $CAPPED_JAVA_OPTS: exit 0" "non-zero exit (see log)"
            return
        fi
        check_counts "small ($CAPPED_JAVA_OPTS)" "$SMALL_FILES" "$SMALL_DIRS" "$SMALL_BYTES" ||
            { error_row "3 first scan, small, $CAPPED_JAVA_OPTS" "wrong counts (see log)"; return; }
        ((rep > 0)) && times+=("$RUN_SECONDS") && cpu+=("$RUN_CPU_SECONDS") && rss+=("$RUN_RSS_MIB")
        log "  $(rep_label "$rep"): $RUN_SECONDS s, peak RSS $RUN_RSS_MIB MiB"
    done
    row "3 first scan, small, $CAPPED_JAVA_OPTS: time" "$(median "${times[@]}") s" "" "" "" ""
    row "3 first scan, small, $CAPPED_JAVA_OPTS: peak RSS" "$(max "${rss[@]}") MiB" "" "" "(max of reps)" ""
    row "3 first scan, small, $CAPPED_JAVA_OPTS: exit" "0" "" "" "exit 0" "pass"
    DETAILS+=("3 small first scan     wall s: ${times[*]} | CPU s: ${cpu[*]} | peak RSS MiB: ${rss[*]}")
}

# --- report --------------------------------------------------------------------------------------------------

print_report() {
    local line
    print_table metric mirror reference ratio target result
    echo
    echo "Repetitions (after the warm-up):"
    for line in "${DETAILS[@]}"; do echo "  $line"; done
    echo "Throughput in MB/s = 10^6 bytes/s. Ratio 1 = mirror/openssl throughput; ratio 2 = mirror/rsync time."
    echo "CPU = user + system seconds of the whole process tree."
    load_warning "$START_LOAD"
}

# On one line, so that editing this file during a run (git pull) cannot make bash read a half-changed tail.
main "$@"; exit
