#!/usr/bin/env bash
# Sync benchmark (the sync issue): mirror beside rsync over ssh on loopback, on the same data, in the same run.
#   1. first mirror of SMALL_FILES small files (1-64 KiB)   time       vs rsync -a, and vs rsync -a + sync
#   2. first mirror of two BIG_MIB MiB files                MB/s       vs rsync -a, and vs rsync -a + sync
#   3. nothing changed: `mirror status --json` with both peers running, and a fresh join of two identical
#      folders until in sync                                 time       vs an rsync -a --delete that finds nothing
#   4. one byte inserted at the head of a BIG_MIB/2 MiB file  wire bytes vs rsync -a --delete (delta transfer)
#   5. a BIG_MIB MiB file renamed                            wire bytes vs rsync -a --delete
# Wire bytes are counted the same way for both tools: nftables counters on the loopback TCP ports each one uses.
# Each measurement: one warm-up repetition, then the median of --reps. Exit status: 0 when everything ran (a
# missed target is reported, not an error), 1 when a run or a correctness check failed, 2 for a usage error.
# See bench/README.md.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$SCRIPT_DIR/lib.sh"

# Java 17 decodes file names with the locale's charset: under C/POSIX, names like "café" cannot be opened.
export LC_ALL=C.UTF-8

REPS=3
FIRST_REP=0 # repetition 0 is the warm-up; --smoke skips it
SMALL_FILES=50000
SMALL_MIN_BYTES=1024
SMALL_MAX_BYTES=65536
BIG_MIB=1024
SMOKE=0
MIRROR_BIN=${MIRROR_BIN:-$REPO/bin/mirror}
CALLER_JAVA_OPTS=${MIRROR_JAVA_OPTS-}
# Extra options for `mirror serve` and `mirror join`, e.g. MIRROR_PEER_OPTS='--rescan-interval 500ms'.
read -r -a PEER_OPTS <<<"${MIRROR_PEER_OPTS-}"
# socket: poll DIR/.mirror/control.sock (fine-grained); cli: run `mirror status --json` per poll (a JVM each).
STATUS_VIA=${MIRROR_STATUS_VIA:-socket}
# Extra ssh options for rsync, e.g. RSYNC_SSH_OPTS='-c aes128-gcm@openssh.com' (the default cipher is ssh's own).
RSYNC_SSH_OPTS=${RSYNC_SSH_OPTS-}

# Loopback ports used by this run only, so that their byte counters see nothing but the tool under test.
SSH_PORT=22722
SERVE_PORT=47301
JOIN_PORT=47302
POLL_MS=20          # how often WaitInSync asks both peers: the resolution of every mirror time below
SYNC_TIMEOUT_S=1800 # one sync that takes longer than this counts as failed (--smoke: 120 s)
EDIT_TARGET_BYTES=262144    # 4: < 256 KiB on the wire
RENAME_TARGET_BYTES=1048576 # 5: < 1 MiB on the wire

WORK=$SCRIPT_DIR/work
MNT=$WORK/mnt
IMAGE=$WORK/mirror.img
LOGS=$WORK/logs
SSH_DIR=$WORK/ssh
CLASSES=$WORK/classes
NFT_TABLE=mirror_bench

ROWS=()     # report table rows, tab-separated: metric, mirror, reference, ratio, target, result
DETAILS=()  # one line per measurement with every repetition's numbers
FAILURES=() # runs or checks that failed: the exit status is 1 if any

usage() {
    cat <<EOF
Usage: bench/mirror.sh [--reps N] [--small-files N] [--big-mib N] [--smoke]

Runs as root. Builds a fresh ext4 image under bench/work/, starts its own sshd on 127.0.0.1:$SSH_PORT, generates
the data, runs mirror and rsync over ssh side by side, and prints a table.
  --reps N          timed repetitions per measurement, after one warm-up (default $REPS)
  --small-files N   files of 1-64 KiB for measurements 1 and 3 (default $SMALL_FILES; directories: N/100)
  --big-mib N       size of each of the two big files (default $BIG_MIB); measurement 4 edits a file of N/2 MiB
  --smoke           a quick check that the script works: --small-files 1000 --big-mib 32 --reps 1, no warm-up
Environment:
  MIRROR_BIN         the mirror launcher to test (default: <repo>/bin/mirror)
  MIRROR_JAVA_OPTS   passed to every mirror process
  MIRROR_PEER_OPTS   extra options for mirror serve and join, e.g. '--rescan-interval 500ms'
  MIRROR_STATUS_VIA  socket (default) or cli: how completion is polled, see bench/README.md
  RSYNC_SSH_OPTS     extra ssh options for rsync, e.g. '-c aes128-gcm@openssh.com'
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
            --smoke) SMOKE=1; SMALL_FILES=1000; BIG_MIB=32; REPS=1; FIRST_REP=1; SYNC_TIMEOUT_S=120; shift ;;
            -h | --help) usage; exit 0 ;;
            *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
        esac
    done
    ((BIG_MIB >= 2)) || { echo "--big-mib must be at least 2 (measurement 4 uses half of it)" >&2; exit 2; }
    [[ $STATUS_VIA == socket || $STATUS_VIA == cli ]] ||
        { echo "MIRROR_STATUS_VIA must be socket or cli" >&2; exit 2; }
}

main() {
    parse_args "$@"
    require_root
    [[ -x $MIRROR_BIN ]] || die "$MIRROR_BIN is missing or not executable; build the project or set MIRROR_BIN."
    [[ $WORK != *[[:space:]]* ]] || die "the path $WORK contains a space; rsync's -e option cannot quote it."
    require_commands "${PEER_RUN_COMMANDS[@]}"
    ensure_tools "${PEER_RUN_TOOLS[@]}"
    start_peer_run "$SSH_PORT" "$SERVE_PORT" "$JOIN_PORT"
    mount_fresh_image "$IMAGE" "$MNT" "$(image_size_mib)" "$(image_inodes)"
    start_counters ssh="$SSH_PORT" mirror="$SERVE_PORT,$JOIN_PORT"
    start_sshd
    generate_data

    print_header
    bench_first_mirror 1 small "$SMALL_BYTES"
    bench_in_sync
    bench_first_mirror 2 big "$BIG_BYTES"
    bench_edit
    bench_rename
    stop_peers
    log_image_use "$MNT"
    print_report
    exit_on_failures
}

# Three copies of every data set (the source, mirror's copy, rsync's copy), the edited file's staging copy, room
# for versions mirror may keep when it replaces files, and ext4 overhead. The image is sparse.
image_size_mib() {
    local small_mib=$((SMALL_FILES * ((SMALL_MIN_BYTES + SMALL_MAX_BYTES) / 2 + 6144) / 1048576))
    echo $((3 * small_mib + 6 * BIG_MIB + 4 * (BIG_MIB / 2) + 3 * BIG_MIB + 2048))
}

image_inodes() {
    echo $((SMALL_FILES * 35 / 10 + 50000)) # three copies of the small tree, mirror's state, room
}

# Data sets on the image (generation is not timed):
#   src-small/  SMALL_FILES files of 1-64 KiB          -> m-small/ (mirror), r-small/ (rsync)
#   src-big/    big-000.bin, big-001.bin of BIG_MIB MiB -> m-big/, r-big/; later also edit.bin (BIG_MIB/2 MiB)
#   stage/      files prepared outside the folders, moved in whole (a watcher never sees them half-written)
generate_data() {
    log "generating data (not timed)"
    java "$SCRIPT_DIR/GenerateTree.java" small "$MNT/src-small" --files "$SMALL_FILES" \
        --min-bytes "$SMALL_MIN_BYTES" --max-bytes "$SMALL_MAX_BYTES" >&2
    java "$SCRIPT_DIR/GenerateTree.java" big "$MNT/src-big" --mib $((2 * BIG_MIB)) --file-mib "$BIG_MIB" >&2
    java "$SCRIPT_DIR/GenerateTree.java" big "$MNT/stage/edit" --mib $((BIG_MIB / 2)) \
        --file-mib $((BIG_MIB / 2)) --seed 3 >&2
    SMALL_BYTES=$(tree_bytes "$MNT/src-small")
    BIG_BYTES=$((2 * BIG_MIB * 1048576))
    settle
}


print_header() {
    echo "mirror sync benchmark — $(date '+%Y-%m-%d %H:%M %Z') on $(hostname)$( ((SMOKE)) && echo ' (SMOKE RUN)')"
    header_lines
    echo "  data    : small = $SMALL_FILES files of $SMALL_MIN_BYTES-$SMALL_MAX_BYTES bytes, $SMALL_BYTES bytes;" \
        "big = 2 files of $BIG_MIB MiB; edit = 1 file of $((BIG_MIB / 2)) MiB"
    echo "            on a fresh loop-mounted ext4 image, warm page cache"
    echo "  timing  : mirror from the start of \`mirror join\` (or of the change) until both peers report inSync" \
        "with equal roots, via $STATUS_VIA (waiting on wait-in-sync where the peers know it, else polled every" \
        "$POLL_MS ms)"
    echo "  wire    : IP bytes (headers included) of both directions on lo, nftables counters on the tools' ports"
    echo "  reps    : $((1 - FIRST_REP)) warm-up + median of $REPS"
    echo "  load    : $START_LOAD at start ($(nproc) cores)"
    echo
}

# --- 1 and 2: first mirror ----------------------------------------------------------------------------------

# bench_first_mirror NUMBER small|big BYTES: SRC to an empty destination by rsync and by mirror in every repetition,
# both destinations deleted together before it; which tool goes first alternates (see first_mirror_rep). Leaves the
# mirror pair running and in sync.
bench_first_mirror() {
    local num=$1 set=$2 bytes=$3 src=$MNT/src-$2 m=$MNT/m-$2 r=$MNT/r-$2 rep metric
    local m_times=() m_sync=() m_wire=() m_own=() scans=() rss=() r_times=() r_sync=() r_wire=() r_stats=()
    local m_cpu=() r_cpu=() firsts=() t_m t_r t_rs m_sync_after
    if [[ $set == small ]]; then
        metric="$num first mirror, $SMALL_FILES small files ($(mib "$bytes"))"
    else
        metric="$num first mirror, 2 files of $BIG_MIB MiB"
    fi
    log "$num/5 first mirror of $set ($(mib "$bytes")) vs rsync -a over ssh"
    for ((rep = FIRST_REP; rep <= REPS; rep++)); do # rep 0 is the warm-up
        first_mirror_rep || return
    done
    # rsync's copy was checked byte for byte in the last repetition, before mirror's run replaced it.
    if ! same_content "mirror ($set)" "$src" "$m"; then
        error_row "$metric" "a copy differs from the source"
        return
    fi
    t_m=$(median "${m_times[@]}")
    t_r=$(median "${r_times[@]}")
    t_rs=$(median "${r_sync[@]}")
    if [[ $set == small ]]; then
        row "$metric: time" "$t_m s" "$t_r s (rsync)" "$(calc "$t_m / $t_r" %.2f)" "<= 1.0" \
            "$(verdict "$t_m <= $t_r")"
        row "$metric: time" "$t_m s" "$t_rs s (rsync + sync)" "$(calc "$t_m / $t_rs" %.2f)" "<= 1.0" \
            "$(verdict "$t_m <= $t_rs")"
    else
        local mb_m mb_r mb_rs
        mb_m=$(calc "$bytes / $t_m / 1e6" %.0f)
        mb_r=$(calc "$bytes / $t_r / 1e6" %.0f)
        mb_rs=$(calc "$bytes / $t_rs / 1e6" %.0f)
        row "$metric: throughput" "$mb_m MB/s" "$mb_r MB/s (rsync)" "$(calc "$t_r / $t_m" %.2f)" ">= 1.0" \
            "$(verdict "$t_m <= $t_r")"
        row "$metric: throughput" "$mb_m MB/s" "$mb_rs MB/s (rsync + sync)" "$(calc "$t_rs / $t_m" %.2f)" \
            ">= 1.0" "$(verdict "$t_m <= $t_rs")"
    fi
    row "$num wire bytes" "$(human_bytes "$(median "${m_wire[@]}")")" "$(human_bytes "$(median "${r_wire[@]}")")" \
        "$(calc "$(median "${m_wire[@]}") / $(median "${r_wire[@]}")" %.2f)" "" ""
    row "$num CPU time, both ends (user + system)" "$(median "${m_cpu[@]}") s" "$(median "${r_cpu[@]}") s (rsync)" \
        "$(calc "$(median "${m_cpu[@]}") / $(median "${r_cpu[@]}")" %.2f)" "(report)" ""
    row "$num serve's scan of the source (not in the time)" "$(median "${scans[@]}") s" "" "" "" ""
    row "$num peak RSS of a mirror peer" "$(max "${rss[@]}") MiB" "" "" "" ""
    DETAILS+=("$metric")
    DETAILS+=("                       went first: ${firsts[*]}")
    DETAILS+=("                       wall s: mirror ${m_times[*]} | rsync ${r_times[*]} | rsync + sync ${r_sync[*]}")
    DETAILS+=("                       sync after mirror s: ${m_sync[*]} | serve's scan s: ${scans[*]}")
    DETAILS+=("                       CPU s, both ends: mirror ${m_cpu[*]} | rsync ${r_cpu[*]}")
    DETAILS+=("                       wire bytes: mirror ${m_wire[*]} | rsync ${r_wire[*]}")
    DETAILS+=("                       own counts: mirror (status) ${m_own[*]} | rsync (--stats) ${r_stats[*]}")
}

# first_mirror_rep: one repetition of bench_first_mirror (whose locals it uses and fills). Each tool starts from the
# same image: the source alone. The first tool's copy is checked and deleted before the second runs, because a copy
# left there with its pages in the cache slowed mirror's writer by a third (bench/README.md, "Where a small-file
# first mirror's time goes"), and with an odd number of repetitions one tool would meet it more often than the
# other. The order still alternates, rsync first in the last repetition (whose mirror pair stays running for 3, 4
# and 5) and in every other one counting back from it: with the default 3, rsync goes first in 1 and 3, mirror in 2
# (and in the warm-up). Returns 1 after an ERROR row.
first_mirror_rep() {
    local first
    stop_peers
    rm -rf "$m" "$r" "$src/.mirror"
    mkdir -p "$r"
    settle
    if (((REPS - rep) % 2 == 0)); then
        first=rsync
        first_mirror_rsync && clear_copy "$r" && first_mirror_mirror || return 1
    else
        first=mirror
        first_mirror_mirror && { stop_peers; clear_copy "$m"; first_mirror_rsync; } || return 1
    fi
    ((rep > 0)) && firsts+=("$first")
    log "  $(rep_label "$rep"), $first first: mirror $SYNC_SECONDS s (+ sync $m_sync_after s;" \
        "serve's scan $SCAN_SECONDS s; CPU $MIRROR_CPU_SECONDS s), rsync $t_r s (CPU $RSYNC_CPU_SECONDS s)," \
        "rsync + sync $t_rs s"
}

# clear_copy DIR: the first tool's copy deleted (after its checks) and the deletion written, before the second runs.
clear_copy() {
    rm -rf "$1"
    mkdir -p "$1"
    settle
}

# first_mirror_rsync: rsync's part of first_mirror_rep.
first_mirror_rsync() {
    if ! rsync_to "$set-rsync-$rep" "$src" "$r"; then
        error_row "$metric" "rsync failed (see log)"
        return 1
    fi
    t_r=$RUN_SECONDS
    timed_run "$LOGS/$set-rsync-sync-$rep" sync
    t_rs=$(calc "$t_r + $RUN_SECONDS")
    same_listing "rsync's first mirror of $set" "$src" "$r" ||
        { error_row "$metric" "rsync's copy is incomplete"; return 1; }
    if ((rep == REPS)) && ! same_content "rsync ($set)" "$src" "$r"; then
        error_row "$metric" "a copy differs from the source"
        return 1
    fi
    ((rep > 0)) && r_times+=("$t_r") && r_sync+=("$t_rs") && r_wire+=("$WIRE") &&
        r_stats+=("$RSYNC_STATS_BYTES") && r_cpu+=("$RSYNC_CPU_SECONDS")
    return 0
}

# first_mirror_mirror: mirror's part of first_mirror_rep; the pair keeps running.
first_mirror_mirror() {
    if ! pair "$set-$rep" "$src" "$m"; then
        error_row "$metric" "mirror failed (see log)"
        stop_peers
        return 1
    fi
    # mirror fsyncs what it writes: a sync right after should find (almost) nothing left to write.
    timed_run "$LOGS/$set-mirror-sync-$rep" sync
    m_sync_after=$RUN_SECONDS
    same_listing "mirror's first mirror of $set" "$src" "$m" ||
        { error_row "$metric" "mirror's copy is incomplete"; return 1; }
    ((rep > 0)) && m_times+=("$SYNC_SECONDS") && m_sync+=("$m_sync_after") && m_wire+=("$WIRE") &&
        m_own+=("$OWN_BYTES") && scans+=("$SCAN_SECONDS") && rss+=("$RSS_MIB") && m_cpu+=("$MIRROR_CPU_SECONDS")
    return 0
}

# --- 3: nothing changed --------------------------------------------------------------------------------------

bench_in_sync() {
    local src=$MNT/src-small m=$MNT/m-small r=$MNT/r-small rep json metric
    local status_times=() r_times=() r_wire=() join_times=() join_wire=() join_own=() scans=()
    metric="3 in sync, $SMALL_FILES files"
    log "3/5 nothing changed: mirror status with both peers running; a fresh join of identical folders"
    if ! ensure_pair small-3 "$src" "$m" || ! rsync_to small-3-rsync-prepare "$src" "$r" --delete; then
        error_row "$metric" "could not get both copies in sync (see log)"
        stop_peers
        return
    fi
    for ((rep = FIRST_REP; rep <= REPS; rep++)); do
        settle
        if ! timed_run "$LOGS/small-status-$rep" "$MIRROR_BIN" status "$m" --json; then
            show_failure "$LOGS/small-status-$rep"
            error_row "$metric: mirror status" "failed (see log)"
            return
        fi
        json=$(grep '^{' "$LOGS/small-status-$rep.out" | tail -n 1 || true)
        if ! grep -Eq '"inSync"[[:space:]]*:[[:space:]]*true' <<<"$json"; then
            log "CHECK FAILED: mirror status on an unchanged pair did not say inSync: ${json:0:300}"
            error_row "$metric: mirror status" "not inSync"
            return
        fi
        local t_status=$RUN_SECONDS
        settle
        if ! rsync_to "small-nochange-rsync-$rep" "$src" "$r" --delete; then
            error_row "$metric: rsync" "failed (see log)"
            return
        fi
        if [[ $RSYNC_FILES != 0 ]]; then
            log "CHECK FAILED: rsync transferred $RSYNC_FILES files between copies that should be identical"
            error_row "$metric: rsync" "copies not identical"
            return
        fi
        ((rep > 0)) && status_times+=("$t_status") && r_times+=("$RUN_SECONDS") && r_wire+=("$WIRE")
        log "  $(rep_label "$rep"): mirror status $t_status s, rsync (no change) $RUN_SECONDS s"
    done
    for ((rep = FIRST_REP; rep <= REPS; rep++)); do
        # A fresh join: both sides forget all state; the joining side must scan its copy before it can agree.
        if ! pair "small-rejoin-$rep" "$src" "$m"; then
            error_row "$metric: fresh join" "mirror failed (see log)"
            stop_peers
            return
        fi
        ((rep > 0)) && join_times+=("$SYNC_SECONDS") && join_wire+=("$WIRE") && join_own+=("$OWN_BYTES") &&
            scans+=("$SCAN_SECONDS")
        log "  $(rep_label "$rep"): fresh join of identical folders $SYNC_SECONDS s (serve's scan $SCAN_SECONDS s)"
    done
    same_listing "mirror after a fresh join" "$src" "$m" || { error_row "$metric: fresh join" "copies differ"; return; }
    local t_status t_r t_join
    t_status=$(median "${status_times[@]}")
    t_r=$(median "${r_times[@]}")
    t_join=$(median "${join_times[@]}")
    row "$metric: both running, \`mirror status --json\`" "$t_status s" "$t_r s (rsync, no change)" \
        "$(calc "$t_status / $t_r" %.2f)" "(report)" ""
    row "$metric: fresh join of identical folders" "$t_join s" "$t_r s (rsync, no change)" \
        "$(calc "$t_join / $t_r" %.2f)" "(report)" ""
    row "3 wire bytes (fresh join; rsync, no change)" "$(human_bytes "$(median "${join_wire[@]}")")" \
        "$(human_bytes "$(median "${r_wire[@]}")")" "" "" ""
    DETAILS+=("$metric")
    DETAILS+=("                       wall s: mirror status ${status_times[*]} | fresh join ${join_times[*]} |\
 rsync ${r_times[*]}")
    DETAILS+=("                       serve's scan before a fresh join s (not in the time): ${scans[*]}")
    DETAILS+=("                       wire bytes: fresh join ${join_wire[*]} | rsync ${r_wire[*]}")
    DETAILS+=("                       own counts: fresh join (status) ${join_own[*]}")
}

# --- 4: one byte inserted at the head of a big file ---------------------------------------------------------

bench_edit() {
    local src=$MNT/src-big m=$MNT/m-big r=$MNT/r-big rep metric m_wire=() m_own=() r_wire=() r_stats=() m_times=()
    local r_times=()
    metric="4 one byte inserted at the head of $((BIG_MIB / 2)) MiB"
    log "4/5 one byte inserted at the head of a $((BIG_MIB / 2)) MiB file"
    # The file joins the big folder now (after measurement 2): both tools copy it once, untimed.
    if ! ensure_pair big-4 "$src" "$m" ||
        ! change big-4-add "$src" "$m" mv "$MNT/stage/edit/big-000.bin" "$src/edit.bin" ||
        ! rsync_to big-4-rsync-prepare "$src" "$r" --delete; then
        error_row "$metric" "could not add the file to both copies (see log)"
        stop_peers
        return
    fi
    for ((rep = FIRST_REP; rep <= REPS; rep++)); do
        # The new version is written outside the folder and moved in whole, as an editor saves: no watcher sees
        # a half-written file. Its write-back is flushed before the timed part.
        { printf '%b' "\\x$(printf %02x $((rep + 65)))"; cat "$src/edit.bin"; } >"$MNT/stage/edit.bin"
        settle
        if ! change "big-edit-$rep" "$src" "$m" mv "$MNT/stage/edit.bin" "$src/edit.bin"; then
            error_row "$metric" "mirror failed (see log)"
            stop_peers
            return
        fi
        cmp -s "$src/edit.bin" "$m/edit.bin" ||
            { log "CHECK FAILED: mirror's edit.bin differs"; error_row "$metric" "mirror's copy differs"; return; }
        local t_m=$SYNC_SECONDS w_m=$WIRE o_m=$OWN_BYTES
        settle
        if ! rsync_to "big-edit-rsync-$rep" "$src" "$r" --delete; then
            error_row "$metric" "rsync failed (see log)"
            return
        fi
        cmp -s "$src/edit.bin" "$r/edit.bin" ||
            { log "CHECK FAILED: rsync's edit.bin differs"; error_row "$metric" "rsync's copy differs"; return; }
        ((rep > 0)) && m_wire+=("$w_m") && m_own+=("$o_m") && m_times+=("$t_m") && r_wire+=("$WIRE") &&
            r_times+=("$RUN_SECONDS") && r_stats+=("$RSYNC_STATS_BYTES")
        log "  $(rep_label "$rep"): mirror $(human_bytes "$w_m") in $t_m s," \
            "rsync $(human_bytes "$WIRE") in $RUN_SECONDS s"
    done
    wire_rows "$metric" "$EDIT_TARGET_BYTES" m_wire r_wire m_times r_times r_stats m_own
}

# --- 5: a big file renamed -----------------------------------------------------------------------------------

bench_rename() {
    local src=$MNT/src-big m=$MNT/m-big r=$MNT/r-big rep metric from to m_wire=() m_own=() r_wire=() r_stats=()
    local m_times=() r_times=()
    metric="5 a $BIG_MIB MiB file renamed"
    log "5/5 a $BIG_MIB MiB file renamed"
    if ! ensure_pair big-5 "$src" "$m" || ! rsync_to big-5-rsync-prepare "$src" "$r" --delete; then
        error_row "$metric" "could not get both copies in sync (see log)"
        stop_peers
        return
    fi
    for ((rep = FIRST_REP; rep <= REPS; rep++)); do
        # Back and forth between two names; mv keeps the content, size and mtime.
        from=big-000.bin to=renamed-000.bin
        [[ -e $src/$from ]] || { from=renamed-000.bin to=big-000.bin; }
        settle
        if ! change "big-rename-$rep" "$src" "$m" mv "$src/$from" "$src/$to"; then
            error_row "$metric" "mirror failed (see log)"
            stop_peers
            return
        fi
        same_listing "mirror after a rename" "$src" "$m" || { error_row "$metric" "mirror's copy differs"; return; }
        local t_m=$SYNC_SECONDS w_m=$WIRE o_m=$OWN_BYTES
        settle
        if ! rsync_to "big-rename-rsync-$rep" "$src" "$r" --delete; then
            error_row "$metric" "rsync failed (see log)"
            return
        fi
        same_listing "rsync after a rename" "$src" "$r" || { error_row "$metric" "rsync's copy differs"; return; }
        ((rep > 0)) && m_wire+=("$w_m") && m_own+=("$o_m") && m_times+=("$t_m") && r_wire+=("$WIRE") &&
            r_times+=("$RUN_SECONDS") && r_stats+=("$RSYNC_STATS_BYTES")
        log "  $(rep_label "$rep"): mirror $(human_bytes "$w_m") in $t_m s," \
            "rsync $(human_bytes "$WIRE") in $RUN_SECONDS s"
    done
    if ! same_content "mirror (big)" "$src" "$m" || ! same_content "rsync (big)" "$src" "$r"; then
        error_row "$metric" "a copy differs from the source"
        return
    fi
    wire_rows "$metric" "$RENAME_TARGET_BYTES" m_wire r_wire m_times r_times r_stats m_own
}

# wire_rows METRIC TARGET_BYTES M_WIRE R_WIRE M_TIMES R_TIMES R_STATS M_OWN (array names): the rows of 4 and 5. The
# target is checked against the largest repetition, not the median: it is a bound on every change.
wire_rows() {
    local metric=$1 target=$2
    local -n mw=$3 rw=$4 mt=$5 rt=$6 rs=$7 mo=$8
    local worst
    worst=$(max "${mw[@]}")
    row "$metric: wire bytes (max of reps)" "$(human_bytes "$worst")" "$(human_bytes "$(max "${rw[@]}")") (rsync)" \
        "$(calc "$worst / $(max "${rw[@]}")" %.3g)" "< $(human_bytes "$target")" "$(verdict "$worst < $target")"
    row "$metric: time" "$(median "${mt[@]}") s" "$(median "${rt[@]}") s (rsync)" "" "(report)" ""
    DETAILS+=("$metric")
    DETAILS+=("                       wire bytes: mirror ${mw[*]} | rsync ${rw[*]}")
    DETAILS+=("                       own counts: mirror (status) ${mo[*]} | rsync (--stats) ${rs[*]}")
    DETAILS+=("                       wall s: mirror ${mt[*]} | rsync ${rt[*]}")
}

# --- report --------------------------------------------------------------------------------------------------

print_report() {
    local line
    print_table metric mirror reference ratio target result
    echo
    echo "Repetitions (after the warm-up):"
    for line in "${DETAILS[@]}"; do echo "  $line"; done
    echo "Ratios: 1 and 3 mirror/rsync time; 2 mirror/rsync throughput; 4, 5 and wire rows mirror/rsync bytes."
    echo "mirror times end at the first poll that saw both peers in sync (made as soon as both answered" \
        "wait-in-sync, else every $POLL_MS ms; one poll of both took ${POLL_MICROS:-?} µs on average)." \
        "MB/s = 10^6 bytes/s; KiB, MiB = 2^10, 2^20 bytes."
    ((SMOKE)) && echo "SMOKE RUN: tiny data, one repetition, no warm-up: the numbers only show that the script works."
    load_warning "$START_LOAD"
}

# On one line, so that editing this file during a run (git pull) cannot make bash read a half-changed tail.
main "$@"; exit
