#!/usr/bin/env bash
# Continuous mirroring benchmark (the issue "Continuous mirroring"): mirror beside Syncthing (two instances on
# loopback) and rsync over ssh, on the same data, in the same run, with the peers running.
#   1. propagation of one small change (CHANGES changes, one at a time)   p50, p99   mirror, Syncthing 1 s, 10 s
#   2. DELETES files deleted (of DEL_FILES)                               time, wire bytes   + rsync --delete
#   3. a BIG_MIB MiB file renamed                                         time, wire bytes   + rsync --delete
#   4. peers idle over IDLE_FILES files, after their first sync           peak RSS, RSS, CPU while idle
# Propagation is timed by Propagate.java, started once: it makes the change in the source and polls the
# destination's files until they show it. Wire bytes: nftables counters on each tool's loopback ports.
# Exit status: 0 when everything ran (a missed target is reported, not an error), 1 when a run or a correctness
# check failed, 2 for a usage error. See bench/README.md.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$SCRIPT_DIR/lib.sh"

# Java 17 decodes file names with the locale's charset: under C/POSIX, names like "café" cannot be opened.
export LC_ALL=C.UTF-8

CHANGES=100     # 1: changes for mirror and Syncthing with a 1 s watcher delay
CHANGES_10S=10  # 1: changes for Syncthing with its default 10 s delay (~11 s each); 0 skips it
DEL_FILES=5000  # 2: files in del/
DELETES=1000    # 2: of which deleted
BIG_MIB=1024    # 3: the renamed file
IDLE_FILES=200000
IDLE_SECONDS=30 # 4: how long the idle peers are watched
PAUSE_MS=200    # 1: at least this long between two changes (plus up to 300 ms of jitter)
SMOKE=0
MIRROR_BIN=${MIRROR_BIN:-$REPO/bin/mirror}
CALLER_JAVA_OPTS=${MIRROR_JAVA_OPTS-}
# Extra options for `mirror serve` and `mirror join`; until mirror watches files, '--rescan-interval 200ms'.
read -r -a PEER_OPTS <<<"${MIRROR_PEER_OPTS-}"
STATUS_VIA=socket
RSYNC_SSH_OPTS=${RSYNC_SSH_OPTS-}

# Loopback ports of this run (the same as mirror.sh's, which cannot run at the same time: they share the mount).
SSH_PORT=22722
SERVE_PORT=47301
JOIN_PORT=47302
ST_LISTEN_PORTS=(22101 22102) # Syncthing A and B: sync protocol (counted)
ST_GUI_PORTS=(28101 28102)    # and REST API (not counted)
POLL_MS=20          # WaitInSync: mirror's own "in sync", for wire bytes and between measurements
PROBE_MS=2          # Propagate: how often the destination is looked at, the resolution of every time in 1-3
SYNC_TIMEOUT_S=1800 # a sync or change that takes longer counts as failed (--smoke: 120 s)
LATENCY_P50_TARGET_MS=300
LATENCY_P99_TARGET_MS=1000

WORK=$SCRIPT_DIR/work
MNT=$WORK/mnt
IMAGE=$WORK/live.img
LOGS=$WORK/logs
SSH_DIR=$WORK/ssh
CLASSES=$WORK/classes
NFT_TABLE=mirror_live_bench
FOLDER_ID=live # Syncthing's folder ID (mirror's is always "default")

REPORT_COLUMNS=7
ROWS=()     # report table rows, tab-separated: metric, mirror, Syncthing 1 s, Syncthing 10 s, rsync, target, result
DETAILS=()  # every single number behind the table
FAILURES=() # runs or checks that failed: the exit status is 1 if any

usage() {
    cat <<EOF
Usage: bench/live.sh [--changes N] [--changes-10s N] [--idle-files N] [--big-mib N] [--smoke]

Runs as root. Builds a fresh ext4 image under bench/work/, starts its own sshd on 127.0.0.1:$SSH_PORT and two
Syncthing instances with their own homes on the image, generates the data, and prints a table.
  --changes N       small changes timed for mirror and for Syncthing with a 1 s watcher delay (default $CHANGES)
  --changes-10s N   the same for Syncthing with its default 10 s delay, ~11 s each (default $CHANGES_10S; 0: skip)
  --idle-files N    files in the folder the idle peers hold (default $IDLE_FILES; directories: N/100)
  --big-mib N       size of the renamed file (default $BIG_MIB)
  --smoke           a quick check that the script works: 5 changes, no 10 s variant, 40 of 200 files deleted,
                    16 MiB renamed, 2,000 idle files watched for 3 s
Environment:
  MIRROR_BIN         the mirror launcher to test (default: <repo>/bin/mirror)
  MIRROR_JAVA_OPTS   passed to every mirror process
  MIRROR_PEER_OPTS   extra options for mirror serve and join, e.g. '--rescan-interval 200ms' (no watcher yet)
  RSYNC_SSH_OPTS     extra ssh options for rsync, e.g. '-c aes128-gcm@openssh.com'
EOF
}

parse_args() {
    while (($#)); do
        case $1 in
            --changes | --changes-10s | --idle-files | --big-mib)
                [[ ${2-} =~ ^[0-9]+$ ]] || { echo "$1 needs a number" >&2; usage >&2; exit 2; }
                case $1 in
                    --changes) CHANGES=$2 ;;
                    --changes-10s) CHANGES_10S=$2 ;;
                    --idle-files) IDLE_FILES=$2 ;;
                    --big-mib) BIG_MIB=$2 ;;
                esac
                shift 2
                ;;
            --smoke)
                SMOKE=1 CHANGES=5 CHANGES_10S=0 DEL_FILES=200 DELETES=40 BIG_MIB=16 IDLE_FILES=2000 IDLE_SECONDS=3
                SYNC_TIMEOUT_S=120
                shift
                ;;
            -h | --help) usage; exit 0 ;;
            *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
        esac
    done
    ((CHANGES >= 1 && IDLE_FILES >= 100 && BIG_MIB >= 1)) ||
        { echo "--changes must be at least 1, --idle-files 100, --big-mib 1" >&2; exit 2; }
}

main() {
    parse_args "$@"
    require_root
    [[ -x $MIRROR_BIN ]] || die "$MIRROR_BIN is missing or not executable; build the project or set MIRROR_BIN."
    [[ $WORK != *[[:space:]]* ]] || die "the path $WORK contains a space; rsync's -e option cannot quote it."
    require_commands "${PEER_RUN_COMMANDS[@]}" python3
    ensure_tools "${PEER_RUN_TOOLS[@]}" syncthing:syncthing curl:curl
    start_peer_run "$SSH_PORT" "$SERVE_PORT" "$JOIN_PORT" "${ST_LISTEN_PORTS[@]}" "${ST_GUI_PORTS[@]}" -- Propagate.java
    mount_fresh_image "$IMAGE" "$MNT" "$(image_size_mib)" "$(image_inodes)"
    start_counters ssh="$SSH_PORT" mirror="$SERVE_PORT,$JOIN_PORT" \
        syncthing="${ST_LISTEN_PORTS[0]},${ST_LISTEN_PORTS[1]}"
    start_sshd
    start_probe
    generate_data

    print_header
    bench_mirror
    bench_syncthing s1 1 "$CHANGES" full
    ((CHANGES_10S == 0)) || bench_syncthing s10 10 "$CHANGES_10S" latency
    bench_rsync
    bench_idle_mirror
    bench_idle_syncthing
    log_image_use "$MNT"
    print_report
    exit_on_failures
}

# Our processes first (they hold files open on the image), then sshd, the counters, and the image.
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [[ -n ${POLLER_PID-} ]]; then kill "$POLLER_PID" 2>/dev/null || true; fi
    stop_probe
    stop_peers
    stop_syncthing
    stop_sshd
    stop_counters
    unmount_images
}

# Per tool: del/ and big/ in its source and destination (mirror, Syncthing 1 s, rsync); the idle tree twice for
# mirror and for Syncthing; generation copies; room for versions and Syncthing's database; ext4 overhead. Sparse.
image_size_mib() {
    local small_mib=$(((DEL_FILES * 10 + IDLE_FILES * 10) / 1024))
    echo $((8 * BIG_MIB + 6 * small_mib + 4096))
}

image_inodes() { echo $((6 * IDLE_FILES + 8 * DEL_FILES + 50000)); }

# Data (generated once, not timed, copied so that every tool starts from the same bytes):
#   gen/del   DEL_FILES files of 0-8 KiB;  gen/big/big-000.bin, BIG_MIB MiB;  gen/idle  IDLE_FILES files of 0-8 KiB
#   m-a/ -> m-b/ (mirror), s1-a/ -> s1-b/ (Syncthing, 1 s), r-a/ -> r-b/ (rsync): del/, big/ and an empty lat/
#   s10-a/ -> s10-b/ (Syncthing, 10 s): lat/ only;  mi-a/ -> mi-b/, si-a/ -> si-b/: the idle tree
# DEL_LIST: the DELETES files of del/ that measurement 2 deletes, every (DEL_FILES/DELETES)-th by name.
generate_data() {
    local dir
    log "generating data (not timed)"
    java "$SCRIPT_DIR/GenerateTree.java" small "$MNT/gen/del" --files "$DEL_FILES" >&2
    java "$SCRIPT_DIR/GenerateTree.java" big "$MNT/gen/big" --mib "$BIG_MIB" --file-mib "$BIG_MIB" >&2
    java "$SCRIPT_DIR/GenerateTree.java" small "$MNT/gen/idle" --files "$IDLE_FILES" >&2
    for dir in m-a s1-a r-a; do
        mkdir -p "$MNT/$dir/lat"
        cp -a "$MNT/gen/del" "$MNT/gen/big" "$MNT/$dir/"
    done
    mkdir -p "$MNT/s10-a/lat" "$MNT/m-b" "$MNT/s1-b" "$MNT/s10-b" "$MNT/r-b" "$MNT/mi-b" "$MNT/si-b"
    cp -a "$MNT/gen/idle" "$MNT/mi-a"
    mv "$MNT/gen/idle" "$MNT/si-a"
    rm -rf "$MNT/gen"
    DEL_LIST=$WORK/delete-list
    (cd "$MNT/m-a" && find del -type f | sort) |
        awk -v step=$((DEL_FILES / DELETES)) -v n="$DELETES" 'NR % step == 0 && taken < n { print; taken++ }' \
            >"$DEL_LIST"
    (($(wc -l <"$DEL_LIST") == DELETES)) || die "could not pick $DELETES files to delete from del/"
    settle
}

print_header() {
    echo "mirror continuous mirroring benchmark — $(date '+%Y-%m-%d %H:%M %Z') on $(hostname)$( ((SMOKE)) &&
        echo ' (SMOKE RUN)')"
    header_lines
    echo "  syncthing: $(syncthing --version | cut -d' ' -f1-2), two instances on 127.0.0.1:${ST_LISTEN_PORTS[0]} and" \
        ":${ST_LISTEN_PORTS[1]} (own homes on the image); discovery, relays, NAT, usage and crash reports off;"
    echo "            one sendreceive folder, fsWatcherDelayS 1 or 10, rescan 3600 s, setLowPriority off;" \
        "other settings default"
    echo "  data    : 1: $CHANGES changes (Syncthing 10 s: $CHANGES_10S) of one small file each, every" \
        "$PAUSE_MS-$((PAUSE_MS + 300)) ms; 2: $DELETES of $DEL_FILES files of 0-8 KiB;"
    echo "            3: one $BIG_MIB MiB file; 4: $IDLE_FILES files of 0-8 KiB, watched for $IDLE_SECONDS s;" \
        "on a fresh loop-mounted ext4 image"
    echo "  timing  : 1-3 from just before the change until the destination's files show it (Propagate," \
        "polls every $PROBE_MS ms); rsync: its run"
    echo "  wire    : IP bytes (headers included) of both directions on lo, nftables counters on the tools' ports," \
        "until both sides are in sync again"
    echo "  load    : $START_LOAD at start ($(nproc) cores)"
    echo
}

# --- the change maker and timer --------------------------------------------------------------------------------
# Propagate.java runs for the whole benchmark as a coprocess: a command line in, one answer line out.

PROBE_PID=""

start_probe() {
    local line
    coproc PROBE { exec java -XX:+UseSerialGC -Xmx64m -cp "$CLASSES" Propagate --interval-ms "$PROBE_MS" \
        --timeout-s "$SYNC_TIMEOUT_S" 2>"$LOGS/propagate.err"; }
    if ! read -r -t 60 line <&"${PROBE[0]}" || [[ $line != ready ]]; then
        die "Propagate did not start ($LOGS/propagate.err)"
    fi
}

# shellcheck disable=SC2317 # called by the EXIT trap
stop_probe() {
    [[ -n ${PROBE_PID-} ]] || return 0
    kill "$PROBE_PID" 2>/dev/null || true
    wait "$PROBE_PID" 2>/dev/null || true
    PROBE_PID=""
}

# probe FIELD...: one command; sets PROBE_SECONDS (the change until seen at the destination) and PROBE_ACTION_S (how
# long making the change took). Fails on a timeout or an error, which it logs.
probe() {
    local IFS=$'\t' answer
    printf '%s\n' "$*" >&"${PROBE[1]}"
    read -r -t $((SYNC_TIMEOUT_S + 60)) answer <&"${PROBE[0]}" || answer="no answer"
    IFS=' ' read -r -a PROBE_ANSWER <<<"$answer"
    if [[ ${PROBE_ANSWER[0]} != ok ]]; then
        log "the change ($1) was not seen at the destination: $answer"
        return 1
    fi
    PROBE_SECONDS=$(calc "${PROBE_ANSWER[1]} / 1e6" %.4f)
    PROBE_ACTION_S=$(calc "${PROBE_ANSWER[5]} / 1e6" %.4f)
}

# --- the three measurements, for any tool ----------------------------------------------------------------------

# latency TOOL SRC DST COUNT: COUNT changes of lat/, one at a time; sets LATENCIES (ms). Odd changes write a new file,
# even ones rewrite the file the change before wrote: both a create and a modify, as an editor's saves are.
latency() {
    local tool=$1 src=$2 dst=$3 count=$4 i file jitter=0
    LATENCIES=()
    for ((i = 1; i <= count; i++)); do
        file=lat/change-$(((i + 1) / 2)).txt
        probe write "$src/$file" "$dst/$file" "$tool change $i of $count at $(now_micros), $RANDOM" || return 1
        LATENCIES+=("$(calc "$PROBE_SECONDS * 1000" %.1f)")
        ((i % 10 == 0 || i == count)) && log "  $tool: $i of $count changes, last $PROBE_SECONDS s"
        # A pause with jitter: so no change is batched with the one before, and changes fall at every phase of a
        # periodic rescan (the --rescan-interval stand-in) rather than at a fixed one.
        jitter=$(((jitter * 1103515245 + 12345 + i) % 301))
        sleep "$(calc "($PAUSE_MS + $jitter) / 1000")"
    done
}

# percentile P VALUE...: nearest rank (with 10 values, p99 is the largest).
percentile() {
    printf '%s\n' "${@:2}" | sort -g | awk -v p="$1" '{ v[NR] = $1 }
        END { r = int(p / 100 * NR); if (r < p / 100 * NR) r++; if (r < 1) r = 1; print v[r] }'
}

# --- mirror ------------------------------------------------------------------------------------------------------

bench_mirror() {
    local src=$MNT/m-a dst=$MNT/m-b
    log "mirror: first sync of $src (not timed), then 1 to 3"
    if ! pair live-m "$src" "$dst"; then
        error_row "mirror: first sync" "mirror failed (see log)"
        stop_peers
        return
    fi
    DETAILS+=("mirror first sync of del/ + big/: $SYNC_SECONDS s (serve's scan before: $SCAN_SECONDS s)")
    if latency mirror "$src" "$dst" "$CHANGES"; then
        M_LAT=("${LATENCIES[@]}")
    else
        error_row "1 mirror: propagation" "a change did not arrive (see log)"
    fi
    # Both peers in sync again (mirror's own view) before the next measurement, so its bytes are its own.
    change live-m-settle "$src" "$dst" true || { error_row "mirror" "peers not in sync after 1"; stop_peers; return; }

    if change live-m-delete "$src" "$dst" probe delete "$src" "$dst" "$DEL_LIST"; then
        M_DEL=("$PROBE_SECONDS" "$WIRE" "$SYNC_SECONDS" "$PROBE_ACTION_S")
        same_listing "mirror after the deletes" "$src" "$dst" || error_row "2 mirror: deletes" "copies differ"
    else
        error_row "2 mirror: deletes" "mirror failed (see log)"
    fi
    if change live-m-rename "$src" "$dst" probe move "$src/big/big-000.bin" "$src/big/renamed-000.bin" \
        "$dst/big/big-000.bin" "$dst/big/renamed-000.bin"; then
        M_REN=("$PROBE_SECONDS" "$WIRE" "$SYNC_SECONDS")
        same_content "mirror after the rename" "$src" "$dst" || error_row "3 mirror: rename" "copies differ"
    else
        error_row "3 mirror: rename" "mirror failed (see log)"
    fi
    stop_peers
}

# --- Syncthing ---------------------------------------------------------------------------------------------------
# Two instances, A (the source) and B, each with its own home on the image (config, keys, database), its own
# HOME, STNODEFAULTFOLDER, STNOUPGRADE and STNORESTART: nothing outside bench/work is read or written, no upgrade
# check, no restarts. Each knows the other by device ID at a
# fixed loopback address; discovery, relays and NAT traversal are off, so they can only meet there.

ST_PIDS=()   # process groups (= PIDs) of the running instances
ST_IDS=()    # their device IDs, A then B
ST_HOMES=()
ST_API_KEY=""

# st_start LABEL DELAY_S DIR_A DIR_B: fresh homes, configs, both instances started and connected.
st_start() {
    local label=$1 delay=$2 side home id
    ST_IDS=()
    ST_HOMES=()
    ST_API_KEY=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    for side in 0 1; do
        home=$MNT/st-home/$label-$side
        rm -rf "$home"
        mkdir -p "$home"
        env HOME="$home" STNODEFAULTFOLDER=1 syncthing generate --home "$home" --no-default-folder \
            --skip-port-probing >"$LOGS/st-$label-$side-generate.log" 2>&1 ||
            { tail -n 5 "$LOGS/st-$label-$side-generate.log" >&2; return 1; }
        id=$(sed -n 's/.*Device ID: *\([A-Z0-9-]*\).*/\1/p' "$LOGS/st-$label-$side-generate.log" | sed -n 1p)
        [[ -n $id ]] || { log "syncthing generate printed no device ID"; return 1; }
        ST_IDS+=("$id")
        ST_HOMES+=("$home")
    done
    mkdir -p "$3/.stfolder" "$4/.stfolder" # the folder marker: without it Syncthing stops the folder
    st_configure 0 "$delay" "$3"
    st_configure 1 "$delay" "$4"
    for side in 0 1; do
        # STMONITORED=1 is what Syncthing's monitor process sets for the child it starts: with it, the one
        # process started here is the one that syncs (no monitor of ~17 MiB beside it, which would otherwise be
        # the process whose RSS we read and which we stop).
        setsid env HOME="${ST_HOMES[$side]}" STNODEFAULTFOLDER=1 STNOUPGRADE=1 STNORESTART=1 STMONITORED=1 \
            syncthing serve --home "${ST_HOMES[$side]}" --no-browser --no-restart --no-upgrade \
            </dev/null >"$LOGS/st-$label-$side.log" 2>&1 &
        ST_PIDS+=("$!")
    done
    st_wait_connected "$label"
}

# st_configure SIDE DELAY_S DIR: edits the generated config.xml. The folder and the peer's device are copies of
# the config's own <defaults>, so every setting not named here keeps Syncthing's default.
st_configure() {
    local side=$1 other=$((1 - $1))
    python3 - "${ST_HOMES[$side]}/config.xml" "${ST_IDS[$side]}" "${ST_IDS[$other]}" \
        "tcp://127.0.0.1:${ST_LISTEN_PORTS[$side]}" "tcp://127.0.0.1:${ST_LISTEN_PORTS[$other]}" \
        "127.0.0.1:${ST_GUI_PORTS[$side]}" "$ST_API_KEY" "$FOLDER_ID" "$3" "$2" <<'EOF'
import copy, sys
import xml.etree.ElementTree as ET

conf, self_id, peer_id, listen, peer_address, gui_address, api_key, folder_id, path, delay = sys.argv[1:]
tree = ET.parse(conf)
root = tree.getroot()
options = root.find("options")
settings = {
    "listenAddress": listen,
    "globalAnnounceEnabled": "false", "localAnnounceEnabled": "false",
    "relaysEnabled": "false", "natEnabled": "false",
    "urAccepted": "-1", "crashReportingEnabled": "false",
    "autoUpgradeIntervalH": "0", "startBrowser": "false",
    # Syncthing lowers its own CPU priority by default; mirror does not, and other work may share the machine.
    "setLowPriority": "false",
}
for name, value in settings.items():
    element = options.find(name)
    if element is None:
        element = ET.SubElement(options, name)
    element.text = value
gui = root.find("gui")
gui.find("address").text = gui_address
gui.find("apikey").text = api_key
defaults = root.find("defaults")

peer = copy.deepcopy(defaults.find("device"))
peer.set("id", peer_id)
peer.set("name", "peer")
peer.find("address").text = peer_address
root.insert(1, peer)

folder = copy.deepcopy(defaults.find("folder"))
folder.set("id", folder_id)
folder.set("label", folder_id)
folder.set("path", path)
folder.set("type", "sendreceive")
folder.set("fsWatcherEnabled", "true")
folder.set("fsWatcherDelayS", delay)
member = folder.find("device")  # the defaults list this device itself
member.set("id", self_id)
shared = copy.deepcopy(member)
shared.set("id", peer_id)
folder.insert(list(folder).index(member) + 1, shared)
root.insert(0, folder)
tree.write(conf)
EOF
}

# st_get SIDE PATH: one REST call to instance SIDE (0: A, 1: B).
st_get() {
    curl -fsS --max-time 10 -H "X-API-Key: $ST_API_KEY" "http://127.0.0.1:${ST_GUI_PORTS[$1]}$2"
}

# st_wait_connected LABEL: both REST APIs answer and A lists B as connected.
st_wait_connected() {
    local deadline=$((SECONDS + 120)) side connections
    while ((SECONDS < deadline)); do
        for side in 0 1; do
            kill -0 "${ST_PIDS[$side]}" 2>/dev/null ||
                { log "syncthing $side exited"; tail -n 10 "$LOGS/st-$1-$side.log" >&2; return 1; }
        done
        # Until its API is up, curl fails and the loop goes round again.
        if connections=$(st_get 0 /rest/system/connections 2>/dev/null) && python3 -c '
import json, sys
sys.exit(0 if json.loads(sys.argv[2])["connections"].get(sys.argv[1], {}).get("connected") else 1)' \
            "${ST_IDS[1]}" "$connections"; then
            return 0
        fi
        sleep 0.5
    done
    log "the two Syncthing instances did not connect in 120 s (logs: $LOGS/st-$1-*.log)"
    return 1
}

# st_in_sync FILES: both instances idle with FILES files, nothing needed, and each sees the other 100% complete.
st_in_sync() {
    local side status completion
    for side in 0 1; do
        status=$(st_get "$side" "/rest/db/status?folder=$FOLDER_ID") || return 1
        [[ $(json_field "$status" state) == idle && $(json_field "$status" needTotalItems) == 0 &&
            $(json_field "$status" localFiles) == "$1" ]] || return 1
        completion=$(st_get "$side" "/rest/db/completion?folder=$FOLDER_ID&device=${ST_IDS[$((1 - side))]}") ||
            return 1
        [[ $(json_field "$completion" completion) == 100 && $(json_field "$completion" needItems) == 0 ]] || return 1
    done
}

# st_wait_in_sync SRC: until st_in_sync holds twice in a row, 0.5 s apart (a state read between two of
# Syncthing's steps must not end it); sets ST_SYNC_SECONDS, the time until the first of the two.
st_wait_in_sync() {
    local files t0 first="" deadline=$((SECONDS + SYNC_TIMEOUT_S))
    files=$(files "$1" . | wc -c)
    t0=$(now_micros)
    while ((SECONDS < deadline)); do
        if st_in_sync "$files"; then
            [[ -n $first ]] && { ST_SYNC_SECONDS=$(seconds_since "$t0" "$first"); return 0; }
            first=$(now_micros)
            sleep 0.5
            continue
        fi
        first=""
        if ! kill -0 "${ST_PIDS[0]}" 2>/dev/null || ! kill -0 "${ST_PIDS[1]}" 2>/dev/null; then
            log "a Syncthing instance exited"
            return 1
        fi
        sleep 0.2
    done
    log "Syncthing not in sync after $SYNC_TIMEOUT_S s: A $(st_get 0 "/rest/db/status?folder=$FOLDER_ID" | tr -d '\n ')"
    return 1
}

# st_change LABEL SRC COMMAND...: COMMAND (a probe), then wait until both instances are in sync; sets WIRE.
st_change() {
    local before
    before=$(wire_bytes syncthing)
    "${@:3}" || return 1
    st_wait_in_sync "$2" || return 1
    WIRE=$(($(wire_bytes syncthing) - before))
}

# shellcheck disable=SC2317 # called by the EXIT trap
stop_syncthing() {
    ((${#ST_PIDS[@]})) || return 0
    stop_groups syncthing "${ST_PIDS[@]}"
    ST_PIDS=()
}

# bench_syncthing LABEL DELAY_S CHANGES full|latency: one pair of instances with that watcher delay; 1, and with
# "full" 2 and 3 too.
bench_syncthing() {
    local label=$1 delay=$2 count=$3 what=$4 src=$MNT/$1-a dst=$MNT/$1-b name="Syncthing $2 s"
    log "$name: first sync of $src (not timed), then $([[ $what == full ]] && echo "1 to 3" || echo "1")"
    if ! st_start "$label" "$delay" "$src" "$dst" || ! st_wait_in_sync "$src"; then
        error_row "$name: first sync" "failed (see $LOGS/st-$label-*.log)"
        stop_syncthing
        return
    fi
    DETAILS+=("$name first sync: $ST_SYNC_SECONDS s (from connected until both in sync)")
    if latency "syncthing-${delay}s" "$src" "$dst" "$count"; then
        if ((delay == 1)); then S1_LAT=("${LATENCIES[@]}"); else S10_LAT=("${LATENCIES[@]}"); fi
    else
        error_row "1 $name: propagation" "a change did not arrive (see log)"
    fi
    if [[ $what == full ]]; then
        st_wait_in_sync "$src" || { error_row "$name" "not in sync after 1"; stop_syncthing; return; }
        if st_change "$label-delete" "$src" probe delete "$src" "$dst" "$DEL_LIST"; then
            S_DEL=("$PROBE_SECONDS" "$WIRE" "$ST_SYNC_SECONDS" "$PROBE_ACTION_S")
            same_listing "Syncthing after the deletes" "$src" "$dst" || error_row "2 $name: deletes" "copies differ"
        else
            error_row "2 $name: deletes" "failed (see log)"
        fi
        if st_change "$label-rename" "$src" probe move "$src/big/big-000.bin" "$src/big/renamed-000.bin" \
            "$dst/big/big-000.bin" "$dst/big/renamed-000.bin"; then
            S_REN=("$PROBE_SECONDS" "$WIRE" "$ST_SYNC_SECONDS")
            same_content "Syncthing after the rename" "$src" "$dst" || error_row "3 $name: rename" "copies differ"
        else
            error_row "3 $name: rename" "failed (see log)"
        fi
    fi
    stop_syncthing
}

# --- rsync -------------------------------------------------------------------------------------------------------
# The same changes, then the command a user would run: rsync -a --delete over ssh. Its time is its run.

bench_rsync() {
    local src=$MNT/r-a dst=$MNT/r-b
    log "rsync: first copy (not timed), then 2 and 3"
    if ! rsync_to live-rsync-first "$src" "$dst" --delete; then
        error_row "rsync: first copy" "rsync failed (see log)"
        return
    fi
    (cd "$src" && xargs -d '\n' rm -- <"$DEL_LIST")
    settle
    if rsync_to live-rsync-delete "$src" "$dst" --delete && same_listing "rsync after the deletes" "$src" "$dst"
    then
        R_DEL=("$RUN_SECONDS" "$WIRE")
    else
        error_row "2 rsync: deletes" "failed (see log)"
    fi
    mv "$src/big/big-000.bin" "$src/big/renamed-000.bin"
    settle
    if rsync_to live-rsync-rename "$src" "$dst" --delete && same_content "rsync after the rename" "$src" "$dst"; then
        R_REN=("$RUN_SECONDS" "$WIRE")
    else
        error_row "3 rsync: rename" "failed (see log)"
    fi
}

# --- 4: idle -------------------------------------------------------------------------------------------------------

# watch_idle PID...: samples every second for IDLE_SECONDS; sets IDLE_STATS to one "HWM_MIB RSS_MAX_MIB CPU_S" per
# PID: peak RSS since the process started (VmHWM, so the first sync's peak is in it), the largest RSS seen while
# idle, and the CPU time (user + system) it used while idle.
watch_idle() {
    local pid i k rss rss_max=() cpu0=() ticks
    ticks=$(getconf CLK_TCK)
    for pid in "$@"; do
        rss_max+=(0)
        cpu0+=("$(cpu_ticks "$pid")")
    done
    for ((i = 0; i < IDLE_SECONDS; i++)); do
        sleep 1
        for k in "${!rss_max[@]}"; do
            pid=${*:k+1:1}
            rss=$(proc_kib "$pid" VmRSS)
            ((rss > rss_max[k])) && rss_max[k]=$rss
        done
    done
    IDLE_STATS=()
    for k in "${!rss_max[@]}"; do
        pid=${*:k+1:1}
        # A peer gone meanwhile (it failed, or was killed from outside) would read as 0: no numbers rather than wrong.
        [[ -r /proc/$pid/status ]] || { log "process $pid exited while idle"; IDLE_STATS=(); return 1; }
        IDLE_STATS+=("$(($(proc_kib "$pid" VmHWM) / 1024)) $((rss_max[k] / 1024)) $(calc "($(cpu_ticks "$pid") - ${cpu0[k]}) / $ticks" %.2f)")
    done
}

# cpu_ticks PID: user + system time so far, in clock ticks (fields 14 and 15 of /proc/PID/stat, after the name).
cpu_ticks() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
    stat=${stat##*) }
    awk '{ print $12 + $13 }' <<<"$stat"
}

bench_idle_mirror() {
    local src=$MNT/mi-a dst=$MNT/mi-b serve join
    log "4 mirror: first sync of $IDLE_FILES files, then $IDLE_SECONDS s idle"
    if ! pair idle-m "$src" "$dst"; then
        error_row "4 mirror: idle" "first sync failed (see log)"
        stop_peers
        return
    fi
    M_IDLE_SYNC=("$SYNC_SECONDS" "$SCAN_SECONDS")
    serve=$(group_java_pid "${PEER_GROUPS[0]}")
    join=$(group_java_pid "${PEER_GROUPS[1]}")
    if watch_idle "$serve" "$join"; then
        M_IDLE=("${IDLE_STATS[@]}")
    else
        error_row "4 mirror: idle" "a peer exited (see log)"
    fi
    same_listing "mirror's idle copy" "$src" "$dst" || error_row "4 mirror: idle" "copies differ"
    stop_peers
}

bench_idle_syncthing() {
    local src=$MNT/si-a dst=$MNT/si-b
    log "4 Syncthing: first sync of $IDLE_FILES files, then $IDLE_SECONDS s idle"
    if ! st_start idle 10 "$src" "$dst" || ! st_wait_in_sync "$src"; then
        error_row "4 Syncthing: idle" "first sync failed (see $LOGS/st-idle-*.log)"
        stop_syncthing
        return
    fi
    S_IDLE_SYNC=$ST_SYNC_SECONDS
    if watch_idle "${ST_PIDS[0]}" "${ST_PIDS[1]}"; then
        S_IDLE=("${IDLE_STATS[@]}")
    else
        error_row "4 Syncthing: idle" "an instance exited (see $LOGS/st-idle-*.log)"
    fi
    same_listing "Syncthing's idle copy" "$src" "$dst" || error_row "4 Syncthing: idle" "copies differ"
    stop_syncthing
}

# --- report --------------------------------------------------------------------------------------------------------

# shellcheck disable=SC2034 # read through namerefs (cell, idle_cell)
M_LAT=() S1_LAT=() S10_LAT=() M_DEL=() S_DEL=() R_DEL=() M_REN=() S_REN=() R_REN=() M_IDLE=() S_IDLE=()
# shellcheck disable=SC2034
M_IDLE_SYNC=() S_IDLE_SYNC=""

# cell ARRAY_NAME INDEX FORMAT: a number from a result array, formatted, or "-" when it was not measured.
cell() {
    local -n values=$1
    ((${#values[@]} > $2)) || { echo "-"; return; }
    case $3 in
        s) echo "$(calc "${values[$2]}" %.3f) s" ;;
        bytes) human_bytes "${values[$2]}" ;;
    esac
}

# pct ARRAY_NAME P: the P-th percentile of a latency array in ms, or "-".
pct() {
    local -n values=$1
    ((${#values[@]})) || { echo "-"; return; }
    echo "$(percentile "$2" "${values[@]}") ms"
}

# idle_cell ARRAY_NAME FIELD: "A / B" (serve / join, or Syncthing A / B) of one field of IDLE_STATS.
idle_cell() {
    local -n stats=$1
    ((${#stats[@]} == 2)) || { echo "-"; return; }
    echo "$(cut -d' ' -f"$2" <<<"${stats[0]}") / $(cut -d' ' -f"$2" <<<"${stats[1]}")"
}

print_report() {
    local p50 p99 line
    if ((${#M_LAT[@]})); then
        p50=$(percentile 50 "${M_LAT[@]}")
        p99=$(percentile 99 "${M_LAT[@]}")
        row "1 one small change: p50" "$p50 ms" "$(pct S1_LAT 50)" "$(pct S10_LAT 50)" "" \
            "< $LATENCY_P50_TARGET_MS ms" "$(verdict "$p50 < $LATENCY_P50_TARGET_MS")"
        row "1 one small change: p99" "$p99 ms" "$(pct S1_LAT 99)" "$(pct S10_LAT 99)" "" \
            "< $LATENCY_P99_TARGET_MS ms" "$(verdict "$p99 < $LATENCY_P99_TARGET_MS")"
    fi
    row "1 changes timed" "${#M_LAT[@]}" "${#S1_LAT[@]}" "${#S10_LAT[@]}" "" "" ""
    row "2 $DELETES of $DEL_FILES files deleted: time" "$(cell M_DEL 0 s)" "$(cell S_DEL 0 s)" "" \
        "$(cell R_DEL 0 s)" "(report)" ""
    row "2 $DELETES deletes: wire bytes" "$(cell M_DEL 1 bytes)" "$(cell S_DEL 1 bytes)" "" "$(cell R_DEL 1 bytes)" \
        "(report)" ""
    row "3 a $BIG_MIB MiB file renamed: time" "$(cell M_REN 0 s)" "$(cell S_REN 0 s)" "" "$(cell R_REN 0 s)" \
        "(report)" ""
    row "3 rename: wire bytes" "$(cell M_REN 1 bytes)" "$(cell S_REN 1 bytes)" "" "$(cell R_REN 1 bytes)" \
        "(report)" ""
    row "4 idle, $IDLE_FILES files: peak RSS (VmHWM) MiB" "$(idle_cell M_IDLE 1)" "$(idle_cell S_IDLE 1)" "" "" \
        "(report)" ""
    row "4 RSS while idle (max over $IDLE_SECONDS s) MiB" "$(idle_cell M_IDLE 2)" "$(idle_cell S_IDLE 2)" "" "" \
        "(report)" ""
    row "4 CPU used while idle ($IDLE_SECONDS s) s" "$(idle_cell M_IDLE 3)" "$(idle_cell S_IDLE 3)" "" "" "(report)" ""
    row "4 first sync of the $IDLE_FILES files" "$(cell M_IDLE_SYNC 0 s)" \
        "$([[ -n $S_IDLE_SYNC ]] && echo "$S_IDLE_SYNC s" || echo -)" "" "" "(report)" ""
    print_table metric mirror "Syncthing 1 s" "Syncthing 10 s" rsync target result
    echo
    echo "Details:"
    DETAILS+=("1 latencies ms, in order: mirror ${M_LAT[*]-}")
    DETAILS+=("                          Syncthing 1 s ${S1_LAT[*]-}")
    DETAILS+=("                          Syncthing 10 s ${S10_LAT[*]-}")
    DETAILS+=("2, 3 until both sides report in sync (mirror: WaitInSync; Syncthing: REST): deletes mirror\
 $(cell M_DEL 2 s), Syncthing $(cell S_DEL 2 s); rename mirror $(cell M_REN 2 s), Syncthing $(cell S_REN 2 s)")
    DETAILS+=("2 deleting the files in the source took (inside the times): mirror $(cell M_DEL 3 s),\
 Syncthing $(cell S_DEL 3 s)")
    DETAILS+=("4 mirror serve's scan of the idle folder before the join (not in the first sync): $(cell M_IDLE_SYNC 1 s)")
    for line in "${DETAILS[@]}"; do echo "  $line"; done
    echo "1-3: from just before the change until Propagate saw it at the destination (polled every $PROBE_MS ms);" \
        "rsync: its whole run after the change."
    echo "Wire bytes until both sides were in sync again (trailing index updates included). 4: mirror serve / join," \
        "Syncthing A / B; VmHWM includes the first sync. KiB, MiB = 2^10, 2^20 bytes."
    ((SMOKE)) && echo "SMOKE RUN: tiny data, few changes, no 10 s variant: the numbers only show that the script works."
    load_warning "$START_LOAD"
}

# On one line, so that editing this file during a run (git pull) cannot make bash read a half-changed tail.
main "$@"; exit
