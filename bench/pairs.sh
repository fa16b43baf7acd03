#!/usr/bin/env bash
# Alternating runs of one measurement: the first mirror of SMALL_FILES small files (mirror.sh's measurement 1), by
# several builds of mirror and by rsync -a over ssh, taking turns, each run into a freshly made ext4 image.
#
# mirror.sh compares one build with rsync; a change to mirror that saves 5% hides in this machine's noise there
# (±1-2 s a run: other work, the host's own load). Here every contender runs once per round, in an order that
# rotates from round to round, so a slow minute costs each of them alike, and each run writes into a new image, so
# no run inherits the previous one's freed blocks or directory layout. Report: every run's time and CPU, medians,
# how often each contender was the fastest of its round, and the ratio of medians to the first contender.
#
#   bench/pairs.sh [--rounds N] [--small-files N] [--same-image | --one-image] CONTENDER...
#   CONTENDER: a mirror launcher (the bin/mirror of a build) or the word rsync; e.g.
#   bench/pairs.sh --rounds 5 /tmp/before/bin/mirror bin/mirror rsync
#
# Exit status: 0 when every run ran and copied everything, 1 when one failed, 2 for a usage error. See
# bench/README.md ("Running pairs.sh").
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
source "$SCRIPT_DIR/lib.sh"

export LC_ALL=C.UTF-8 # Java 17 decodes file names with the locale's charset

ROUNDS=5
SMALL_FILES=50000
SAME_IMAGE=0 # 1: every run deletes the last run's copy and writes into the same image, as mirror.sh does
ONE_IMAGE=0  # 1: the copies go onto the source's own image (one file system, as in mirror.sh), not one of their own
SMALL_MIN_BYTES=1024
SMALL_MAX_BYTES=65536
IMAGE_MIB="" # --image-mib: every image's size; empty: room for the data and 1 GiB more
CONTENDERS=()
MIRROR_BIN=""
CALLER_JAVA_OPTS=${MIRROR_JAVA_OPTS-}
read -r -a PEER_OPTS <<<"${MIRROR_PEER_OPTS-}"
STATUS_VIA=socket
RSYNC_SSH_OPTS=${RSYNC_SSH_OPTS-}

# Ports of their own, so that this script and mirror.sh never meet on one.
SSH_PORT=22723
SERVE_PORT=47311
JOIN_PORT=47312
POLL_MS=20
SYNC_TIMEOUT_S=600

WORK=$SCRIPT_DIR/work/pairs # bench/work/ is where every script of bench/ keeps its data (ignored by git)
SRC_MNT=$WORK/src
DST_MNT=$WORK/dst
LOGS=$WORK/logs
SSH_DIR=$WORK/ssh
CLASSES=$WORK/classes
NFT_TABLE=mirror_pairs

# By contender index: space-separated times and CPU times of its runs, rsync's times with the sync after each, the
# largest peak RSS of a mirror peer in each run, and how many rounds it was the fastest of.
declare -A TIMES=() CPUS=() WITH_SYNC=() RSS=() WINS=()
FAILURES=()

usage() {
    cat <<EOF
Usage: bench/pairs.sh [--rounds N] [--small-files N] [--image-mib N] [--same-image | --one-image] CONTENDER...

Runs as root. A CONTENDER is a mirror launcher (bin/mirror of a build; two builds are two contenders) or the word
rsync (rsync -a over ssh to an sshd of our own on 127.0.0.1:$SSH_PORT). Every round runs each contender once, into
a fresh ext4 image, in an order rotated each round; the report goes to standard output.
  --rounds N        rounds (default $ROUNDS), after one untimed warm-up run of each contender
  --small-files N   files of 1-64 KiB (default $SMALL_FILES; directories: N/100)
  --image-mib N     make each image N MiB (default: room for the data and 1 GiB more; mirror.sh's is ~19,000)
  --same-image      delete the last run's copy and write into the same image (as mirror.sh does), not a new one
  --one-image       write the copies onto the source's image (one file system, as mirror.sh has), deleting the last
Environment: MIRROR_JAVA_OPTS, MIRROR_PEER_OPTS and RSYNC_SSH_OPTS, as for bench/mirror.sh.
EOF
}

parse_args() {
    while (($#)); do
        case $1 in
            --rounds | --small-files | --image-mib)
                [[ ${2-} =~ ^[1-9][0-9]*$ ]] || { echo "$1 needs a positive integer" >&2; usage >&2; exit 2; }
                case $1 in
                    --rounds) ROUNDS=$2 ;;
                    --small-files) SMALL_FILES=$2 ;;
                    *) IMAGE_MIB=$2 ;;
                esac
                shift 2
                ;;
            --same-image) SAME_IMAGE=1; shift ;;
            --one-image) ONE_IMAGE=1; shift ;;
            -h | --help) usage; exit 0 ;;
            -*) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
            rsync) CONTENDERS+=(rsync); shift ;;
            *)
                [[ -x $1 ]] || { echo "$1 is neither rsync nor an executable mirror launcher" >&2; exit 2; }
                CONTENDERS+=("$(readlink -f "$1")")
                shift
                ;;
        esac
    done
    ((${#CONTENDERS[@]} >= 2)) || { echo "name at least two contenders" >&2; usage >&2; exit 2; }
}

main() {
    parse_args "$@"
    require_root
    [[ $WORK != *[[:space:]]* ]] || die "the path $WORK contains a space; rsync's -e option cannot quote it."
    require_commands "${PEER_RUN_COMMANDS[@]}"
    ensure_tools "${PEER_RUN_TOOLS[@]}"
    start_peer_run "$SSH_PORT" "$SERVE_PORT" "$JOIN_PORT"
    mount_fresh_image "$WORK/src.img" "$SRC_MNT" "$(image_size_mib)" "$(((1 + ONE_IMAGE) * SMALL_FILES * 2 + 10000))"
    log "generating data (not timed)"
    java "$SCRIPT_DIR/GenerateTree.java" small "$SRC_MNT/small" --files "$SMALL_FILES" \
        --min-bytes "$SMALL_MIN_BYTES" --max-bytes "$SMALL_MAX_BYTES" >&2
    start_counters ssh="$SSH_PORT" mirror="$SERVE_PORT,$JOIN_PORT"
    start_sshd

    local round
    for ((round = 0; round <= ROUNDS; round++)); do # round 0 is the warm-up
        run_round "$round"
    done
    print_report
    exit_on_failures
}

# The source tree and mirror's state of it; a copy of the tree in each destination image (with --one-image, the
# source's image holds both).
image_size_mib() {
    if [[ -n $IMAGE_MIB ]]; then
        echo "$IMAGE_MIB"
        return
    fi
    echo $(((1 + ONE_IMAGE) * SMALL_FILES * ((SMALL_MIN_BYTES + SMALL_MAX_BYTES) / 2 + 6144) / 1048576 + 1024))
}

# run_round ROUND: each contender once, starting with contender ROUND mod N.
run_round() {
    local round=$1 n=${#CONTENDERS[@]} k i best="" best_time="" line=""
    for ((k = 0; k < n; k++)); do
        i=$(((round + k) % n))
        if ! run_one "$round" "$i"; then
            FAILURES+=("round $round, ${CONTENDERS[$i]}")
            continue
        fi
        line+=" $(label "$i") $RUN_TIME s;"
        ((round > 0)) || continue
        TIMES[$i]+="$RUN_TIME "
        CPUS[$i]+="$RUN_CPU "
        [[ -z $RUN_SYNC ]] || WITH_SYNC[$i]+="$(calc "$RUN_TIME + $RUN_SYNC") "
        [[ -z $RUN_RSS ]] || RSS[$i]+="$RUN_RSS "
        if [[ -z $best_time ]] || [[ $(calc "$RUN_TIME < $best_time ? 1 : 0" %d) == 1 ]]; then
            best=$i best_time=$RUN_TIME
        fi
    done
    [[ -n $best ]] && WINS[$best]=$((${WINS[$best]-0} + 1))
    log "$( ((round)) && echo "round $round/$ROUNDS" || echo warm-up):$line"
}

# run_one ROUND INDEX: one first mirror of the source into a fresh destination image. Sets RUN_TIME, RUN_CPU (both
# ends, user + system); for rsync RUN_SYNC, the time of a `sync` right after it (mirror's installs are durable when
# it reports in sync; rsync's are not until then); for mirror RUN_RSS, the larger peak RSS of its two peers (MiB).
run_one() {
    local round=$1 i=$2 contender=${CONTENDERS[$2]} dst name
    stop_peers
    dst=$DST_MNT/small
    if ((ONE_IMAGE)); then
        dst=$SRC_MNT/copy
        rm -rf "$dst"
    elif ((SAME_IMAGE)) && mountpoint -q "$DST_MNT"; then
        rm -rf "$dst"
    else
        unmount_image "$DST_MNT"
        mount_fresh_image "$WORK/dst.img" "$DST_MNT" "$(image_size_mib)" "$((SMALL_FILES * 2 + 10000))"
    fi
    mkdir -p "$dst"
    name="r$round-c$i"
    RUN_SYNC=""
    RUN_RSS=""
    if [[ $contender == rsync ]]; then
        settle
        rsync_to "$name-rsync" "$SRC_MNT/small" "$dst" || return 1
        RUN_CPU=$RSYNC_CPU_SECONDS
        RUN_TIME=$RUN_SECONDS
        timed_run "$LOGS/$name-sync" sync
        RUN_SYNC=$RUN_SECONDS
    else
        MIRROR_BIN=$contender
        pair "$name" "$SRC_MNT/small" "$dst" || return 1
        RUN_TIME=$SYNC_SECONDS
        RUN_CPU=$MIRROR_CPU_SECONDS
        RUN_RSS=$RSS_MIB
        stop_peers
    fi
    same_listing "$(label "$i"), round $round" "$SRC_MNT/small" "$dst"
}

# label INDEX: how the report names a contender: rsync, or the commit of a mirror build's checkout.
label() {
    local c=${CONTENDERS[$1]} home commit
    [[ $c == rsync ]] && { echo rsync; return; }
    home=$(dirname "$(dirname "$c")")
    commit=$(git -C "$home" describe --always --dirty 2>/dev/null || echo "")
    echo "#$1 ${commit:-$home}"
}

print_report() {
    local i n=${#CONTENDERS[@]} first_median median cpu_median
    echo "mirror pairs benchmark — $(date '+%Y-%m-%d %H:%M %Z') on $(hostname)"
    local into="a fresh ext4 image each run"
    ((SAME_IMAGE)) && into="one ext4 image, the last run's copy deleted before each run"
    ((ONE_IMAGE)) && into="the source's own image (one file system), the last run's copy deleted before each run"
    echo "  data    : $SMALL_FILES files of $SMALL_MIN_BYTES-$SMALL_MAX_BYTES bytes, first mirror into $into;" \
        "$ROUNDS rounds after a warm-up, order rotated each round"
    echo "  timing  : mirror from the start of \`mirror join\` until both peers report inSync (waiting on" \
        "wait-in-sync where the peers know it, else polled every $POLL_MS ms); rsync: its own run (and, beside it," \
        "with the \`sync\` after it)"
    echo "  load    : $START_LOAD at start ($(nproc) cores); MIRROR_JAVA_OPTS='$CALLER_JAVA_OPTS'," \
        "MIRROR_PEER_OPTS='${PEER_OPTS[*]}'"
    for ((i = 0; i < n; i++)); do [[ ${CONTENDERS[$i]} == rsync ]] || echo "  #$i      : ${CONTENDERS[$i]}"; done
    echo
    ROWS=()
    REPORT_COLUMNS=7
    for ((i = 0; i < n; i++)); do
        [[ -n ${TIMES[$i]-} ]] || { row "$(label "$i")" "no run" "" "" "" "" ""; continue; }
        # shellcheck disable=SC2086 # lists of numbers
        median=$(median ${TIMES[$i]})
        # shellcheck disable=SC2086
        cpu_median=$(median ${CPUS[$i]})
        [[ -n ${first_median-} ]] || first_median=$median
        local rss=""
        # shellcheck disable=SC2086
        [[ -z ${RSS[$i]-} ]] || rss="$(max ${RSS[$i]}) MiB"
        row "$(label "$i")" "$median s" "$cpu_median s" "$rss" "$(calc "$median / $first_median" %.3f)" \
            "${WINS[$i]-0} of $ROUNDS" "${TIMES[$i]% }"
        if [[ -n ${WITH_SYNC[$i]-} ]]; then
            # shellcheck disable=SC2086
            median=$(median ${WITH_SYNC[$i]})
            row "rsync + sync" "$median s" "" "" "$(calc "$median / $first_median" %.3f)" "" "${WITH_SYNC[$i]% }"
        fi
    done
    print_table contender "median time" "median CPU" "peak RSS" "ratio to first" "fastest" "runs (s)"
    echo
    echo "CPU: user + system of both ends (mirror: both peers from join's start until in sync; rsync: rsync, ssh" \
        "and what sshd ran). Peak RSS: the largest of any mirror peer in any run. Ratio: median time over the first" \
        "contender's median."
    load_warning "$START_LOAD"
}

main "$@"; exit
