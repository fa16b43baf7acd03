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
    require_commands java javac mkfs.ext4 mount umount mountpoint sync setsid ss ps cmp
    ensure_tools rsync:rsync sshd:openssh-server ssh:openssh-client ssh-keygen:openssh-client nft:nftables \
        /usr/bin/time:time

    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    rm -rf "$LOGS" "$SSH_DIR" "$CLASSES"
    mkdir -p "$LOGS"
    check_ports_free
    START_LOAD=$(load_average) # before our own work raises it
    # The poller is compiled once, so that each use starts in a fraction of a second.
    javac -d "$CLASSES" "$SCRIPT_DIR/WaitInSync.java"
    mount_fresh_image "$IMAGE" "$MNT" "$(image_size_mib)" "$(image_inodes)"
    start_counters
    start_sshd
    generate_data

    print_header
    bench_first_mirror 1 small "$SMALL_BYTES"
    bench_in_sync
    bench_first_mirror 2 big "$BIG_BYTES"
    bench_edit
    bench_rename
    stop_peers
    log "image use at the end: $(df -h --output=used,size "$MNT" | tail -n 1 | awk '{ print $1 " of " $2 }')," \
        "$(df --output=iused,itotal "$MNT" | tail -n 1 | awk '{ print $1 " of " $2 }') inodes"
    print_report

    if ((${#FAILURES[@]})); then
        log "FAILED: $(printf '[%s] ' "${FAILURES[@]}")(logs in $LOGS)"
        exit 1
    fi
}

# Peers first (they hold files open on the image), then sshd, the counters, and the image.
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [[ -n ${POLLER_PID-} ]]; then kill "$POLLER_PID" 2>/dev/null || true; fi
    stop_peers
    stop_sshd
    nft delete table inet "$NFT_TABLE" 2>/dev/null || true
    unmount_image
}

check_ports_free() {
    local port
    for port in "$SSH_PORT" "$SERVE_PORT" "$JOIN_PORT"; do
        if ss -Hltn "sport = :$port" | grep -q .; then
            die "TCP port $port is in use (an earlier run still going, or killed?); free it and start again."
        fi
    done
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

tree_bytes() { find "$1" -path "$1/.mirror" -prune -o -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }

print_header() {
    local home commit jar cpu ram_gib tools
    home=$(dirname "$(dirname "$(readlink -f "$MIRROR_BIN")")")
    commit=$(git -C "$home" describe --always --dirty 2>/dev/null || echo unknown)
    jar=$(date -r "$home/target/mirror.jar" '+%Y-%m-%d %H:%M' 2>/dev/null || echo unknown)
    cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p')
    ram_gib=$(free -g | awk '/^Mem:/ { print $2 }')
    # sed, not head: head exits early, the writer gets SIGPIPE, and pipefail turns that into a failure.
    tools="$(java -version 2>&1 | sed -n 1p); $(rsync --version | sed -n 1p | awk '{ print $1, $3 }')"
    tools+="; $(ssh -V 2>&1 | cut -d, -f1)"
    echo "mirror sync benchmark — $(date '+%Y-%m-%d %H:%M %Z') on $(hostname)$( ((SMOKE)) && echo ' (SMOKE RUN)')"
    echo "  machine : $(nproc) cores, $cpu, $ram_gib GiB RAM, kernel $(uname -r)"
    echo "  mirror  : $MIRROR_BIN (checkout at $commit, target/mirror.jar built $jar)"
    echo "            MIRROR_JAVA_OPTS='$CALLER_JAVA_OPTS', MIRROR_PEER_OPTS='${PEER_OPTS[*]}';" \
        "serve on 127.0.0.1:$SERVE_PORT, join on :$JOIN_PORT"
    local extra=""
    [[ -n $RSYNC_SSH_OPTS ]] && extra=" (RSYNC_SSH_OPTS='$RSYNC_SSH_OPTS')"
    echo "  rsync   : rsync -a over ssh to root@127.0.0.1:$SSH_PORT (own sshd), cipher $SSH_CIPHER$extra"
    echo "  tools   : $tools"
    echo "  data    : small = $SMALL_FILES files of $SMALL_MIN_BYTES-$SMALL_MAX_BYTES bytes, $SMALL_BYTES bytes;" \
        "big = 2 files of $BIG_MIB MiB; edit = 1 file of $((BIG_MIB / 2)) MiB"
    echo "            on a fresh loop-mounted ext4 image, warm page cache"
    echo "  timing  : mirror from the start of \`mirror join\` (or of the change) until both peers report inSync" \
        "with equal roots, polled every $POLL_MS ms via $STATUS_VIA"
    echo "  wire    : IP bytes (headers included) of both directions on lo, nftables counters on the tools' ports"
    echo "  reps    : $((1 - FIRST_REP)) warm-up + median of $REPS"
    echo "  load    : $START_LOAD at start ($(nproc) cores)"
    echo
}

# --- sshd of our own, for rsync ------------------------------------------------------------------------------
# Its own config, host key and client key under bench/work/ssh, listening on 127.0.0.1 only, keys only, for the
# length of the run: nothing of the machine's ssh setup is used or changed.

SSHD_PID=""

start_sshd() {
    mkdir -p "$SSH_DIR"
    chmod 700 "$SSH_DIR"
    ssh-keygen -q -t ed25519 -N '' -C mirror-bench-host -f "$SSH_DIR/host_ed25519"
    ssh-keygen -q -t ed25519 -N '' -C mirror-bench-client -f "$SSH_DIR/client_ed25519"
    # from=: the key is good for loopback logins only, should it ever leak out of bench/work.
    echo "from=\"127.0.0.1\" $(cat "$SSH_DIR/client_ed25519.pub")" >"$SSH_DIR/authorized_keys"
    echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1-2 "$SSH_DIR/host_ed25519.pub")" >"$SSH_DIR/known_hosts"
    cat >"$SSH_DIR/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $SSH_DIR/host_ed25519
PidFile $SSH_DIR/sshd.pid
AuthorizedKeysFile $SSH_DIR/authorized_keys
AllowUsers root
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTTY no
PrintMotd no
MaxStartups 10:30:100
EOF
    mkdir -p /run/sshd # privilege separation directory; the openssh-server package's service would make it
    /usr/sbin/sshd -t -f "$SSH_DIR/sshd_config" || die "sshd rejects $SSH_DIR/sshd_config"
    setsid /usr/sbin/sshd -D -e -f "$SSH_DIR/sshd_config" </dev/null >"$LOGS/sshd.log" 2>&1 &
    SSHD_PID=$!
    local tries
    for ((tries = 0; tries < 100; tries++)); do
        ss -Hltn "sport = :$SSH_PORT" | grep -q . && break
        sleep 0.1
    done
    # -F /dev/null: the machine's ssh_config (and root's) must not change what rsync gets.
    # shellcheck disable=SC2206 # RSYNC_SSH_OPTS is a list of words on purpose
    SSH_COMMAND=(ssh -F /dev/null -p "$SSH_PORT" -i "$SSH_DIR/client_ed25519" -o IdentitiesOnly=yes
        -o UserKnownHostsFile="$SSH_DIR/known_hosts" -o GlobalKnownHostsFile=/dev/null
        -o StrictHostKeyChecking=yes -o BatchMode=yes -o LogLevel=ERROR $RSYNC_SSH_OPTS)
    "${SSH_COMMAND[@]}" -v root@127.0.0.1 true 2>"$LOGS/ssh-check.err" ||
        { tail -n 5 "$LOGS/ssh-check.err" "$LOGS/sshd.log" >&2; die "ssh to our own sshd failed (logs above)"; }
    (($(wire_bytes ssh) > 0)) || die "the nftables counter saw none of the ssh check's traffic; cannot count bytes"
    SSH_CIPHER=$(sed -n 's/.*kex: server->client cipher: \([^ ]*\).*/\1/p' "$LOGS/ssh-check.err" | sed -n 1p)
    log "sshd on 127.0.0.1:$SSH_PORT works (cipher ${SSH_CIPHER:-unknown})"
}

# shellcheck disable=SC2317 # called by the EXIT trap
stop_sshd() {
    [[ -n $SSHD_PID ]] || return 0
    kill -TERM -- "-$SSHD_PID" 2>/dev/null || true
    wait "$SSHD_PID" 2>/dev/null || true
    SSHD_PID=""
}

# rsync_to NAME SRC DST [RSYNC OPTIONS...]: one timed rsync -a of SRC/ into DST/ over our ssh, with --stats.
# Sets RUN_SECONDS, WIRE (bytes on the wire, as counted for mirror), RSYNC_STATS_BYTES (rsync's own count of
# what it sent and received, without ssh's overhead) and RSYNC_FILES (regular files it transferred).
rsync_to() {
    local name=$1 src=$2 dst=$3 before status=0
    shift 3
    before=$(wire_bytes ssh)
    timed_run "$LOGS/$name" rsync -a --stats --exclude=/.mirror/ -e "${SSH_COMMAND[*]}" "$@" \
        "$src/" "root@127.0.0.1:$dst/" || status=$?
    WIRE=$(($(wire_bytes ssh) - before))
    if ((status)); then
        show_failure "$LOGS/$name"
        return 1
    fi
    RSYNC_STATS_BYTES=$(awk -F': ' '/^Total bytes (sent|received):/ { gsub(/,/, "", $2); s += $2 }
        END { print s + 0 }' "$LOGS/$name.out")
    RSYNC_FILES=$(awk -F': ' '/^Number of regular files transferred:/ { gsub(/,/, "", $2); print $2 }' \
        "$LOGS/$name.out")
}

# --- wire bytes ----------------------------------------------------------------------------------------------
# One nftables table of our own with a named counter per tool. Every packet leaving through lo passes the output
# hook exactly once, so counting there, to or from the tool's port, gives both directions of its connections.
# `accept` ends this chain for a packet it counted (a packet between two mirror ports is counted once); it
# changes nothing else: the chain's policy is accept, and other tables' chains still see every packet.

start_counters() {
    nft delete table inet "$NFT_TABLE" 2>/dev/null || true # left by a run that was killed
    nft -f - <<EOF
table inet $NFT_TABLE {
    counter ssh {}
    counter mirror {}
    chain out {
        type filter hook output priority 0; policy accept;
        oifname "lo" tcp dport $SSH_PORT counter name "ssh" accept
        oifname "lo" tcp sport $SSH_PORT counter name "ssh" accept
        oifname "lo" tcp dport { $SERVE_PORT, $JOIN_PORT } counter name "mirror" accept
        oifname "lo" tcp sport { $SERVE_PORT, $JOIN_PORT } counter name "mirror" accept
    }
}
EOF
}

# wire_bytes ssh|mirror: bytes counted so far (IP packets, headers included, both directions).
wire_bytes() {
    nft list counter inet "$NFT_TABLE" "$1" |
        awk '{ for (i = 1; i < NF; i++) if ($i == "bytes") print $(i + 1) }'
}

# --- mirror peers --------------------------------------------------------------------------------------------

PEER_GROUPS=() # process groups of the running mirror peers
PEER_NAMES=()  # "PGID NAME" of every peer started, to find its log
PAIR=""        # "SRC DST" of the pair that is running and in sync, if any
LAST_ROOT=""   # the root both peers of that pair last agreed on

# start_peer NAME ARGS...: `mirror ARGS` in the background, in a process group of its own (bin/mirror is a shell
# script that runs java as its child: a signal to the group reaches the JVM too), output in LOGS/NAME.{out,err}.
start_peer() {
    local name=$1
    shift
    setsid env MIRROR_JAVA_OPTS="$CALLER_JAVA_OPTS" "$MIRROR_BIN" "$@" \
        </dev/null >"$LOGS/$name.out" 2>"$LOGS/$name.err" &
    PEER_PID=$!
    PEER_GROUPS+=("$PEER_PID")
}

# group_alive PGID: some process of the group is still running (zombies do not count).
group_alive() {
    ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# leader_alive PID: the process runs (not a zombie). Without a fork: it is checked while a sync is timed.
leader_alive() {
    local stat
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

# peers_rss_mib: the largest peak RSS (VmHWM) among the running peers' processes, in MiB.
peers_rss_mib() {
    local group pid kib=0 k
    for group in "${PEER_GROUPS[@]}"; do
        for pid in $(ps -e -o pid=,pgid= | awk -v g="$group" '$2 == g { print $1 }'); do
            k=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
            ((${k:-0} > kib)) && kib=$k
        done
    done
    echo $((kib / 1024))
}

# stop_peers: SIGTERM to every peer (a clean stop), SIGKILL after 30 s.
stop_peers() {
    local group deadline=$((SECONDS + 30))
    ((${#PEER_GROUPS[@]})) || return 0
    for group in "${PEER_GROUPS[@]}"; do kill -TERM -- "-$group" 2>/dev/null || true; done
    for group in "${PEER_GROUPS[@]}"; do
        while group_alive "$group" && ((SECONDS < deadline)); do sleep 0.1; done
        if group_alive "$group"; then
            log "warning: mirror peer $group ignored SIGTERM for 30 s; killing it"
            kill -KILL -- "-$group" 2>/dev/null || true
        fi
        wait "$group" 2>/dev/null || true
    done
    PEER_GROUPS=()
    PAIR=""
}

# wait_for_invite NAME PGID: waits for serve's one line `mirror join HOST:PORT#TOKEN`; sets INVITE.
wait_for_invite() {
    local name=$1 group=$2 line deadline=$((SECONDS + SYNC_TIMEOUT_S))
    while :; do
        line=$(grep -m 1 '^mirror join ' "$LOGS/$name.out" 2>/dev/null || true)
        [[ -n $line ]] && break
        if ! leader_alive "$group"; then
            log "mirror serve ($name) exited without printing its join line"
            show_failure "$LOGS/$name"
            return 1
        fi
        ((SECONDS < deadline)) || { log "mirror serve ($name) printed no join line in $SYNC_TIMEOUT_S s"; return 1; }
        sleep 0.02
    done
    INVITE=${line#mirror join }
    INVITE=${INVITE%%[[:space:]]*}
}

# start_poller NAME SRC DST [--changed-from ROOT]: starts WaitInSync and waits for its "ready" line, so that its
# own JVM start is over before the timed action begins.
start_poller() {
    local name=$1 src=$2 dst=$3 tries
    shift 3
    local via=()
    [[ $STATUS_VIA == cli ]] && via=(--cli "$MIRROR_BIN")
    java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx64m -cp "$CLASSES" WaitInSync "$src" "$dst" \
        --interval-ms "$POLL_MS" --timeout-s "$SYNC_TIMEOUT_S" "${via[@]}" "$@" \
        </dev/null >"$LOGS/$name.out" 2>"$LOGS/$name.err" &
    POLLER_PID=$!
    for ((tries = 0; tries < 600; tries++)); do
        grep -q '^ready' "$LOGS/$name.out" 2>/dev/null && return 0
        kill -0 "$POLLER_PID" 2>/dev/null || break
        sleep 0.02
    done
    log "WaitInSync ($name) did not start"
    show_failure "$LOGS/$name"
    kill "$POLLER_PID" 2>/dev/null || true
    return 1
}

# finish_poller NAME: waits for the poller to see both peers in sync, while checking that no peer died (that would
# otherwise only show as a timeout). Sets DONE_MICROS (wall clock of the poll that saw it), LAST_ROOT and
# OWN_BYTES (mirror's own count of the bytes its link carried meanwhile, from status; -1 if it has none).
finish_poller() {
    local name=$1 group status=0 done_line
    while kill -0 "$POLLER_PID" 2>/dev/null; do
        for group in "${PEER_GROUPS[@]}"; do
            if ! leader_alive "$group"; then
                log "a mirror peer (process group $group) exited while syncing"
                show_failure "$(peer_log "$group")"
                kill "$POLLER_PID" 2>/dev/null || true
                wait "$POLLER_PID" 2>/dev/null || true
                return 1
            fi
        done
        sleep 0.1
    done
    wait "$POLLER_PID" || status=$?
    if ((status)); then
        log "the peers did not get in sync ($name, WaitInSync exit $status)"
        sed 's/^/    /' "$LOGS/$name.err" | tail -n 6 >&2
        return 1
    fi
    done_line=$(grep -m 1 '^done ' "$LOGS/$name.out")
    read -r _ DONE_MICROS LAST_ROOT _ POLL_MICROS OWN_BYTES <<<"$done_line"
}

# peer_log PGID: the log prefix of the peer with that process group (for show_failure).
peer_log() {
    local entry
    for entry in "${PEER_NAMES[@]}"; do
        [[ ${entry%% *} == "$1" ]] && { echo "$LOGS/${entry#* }"; return; }
    done
    echo "$LOGS/unknown"
}

now_micros() { echo "${EPOCHREALTIME//[.,]/}"; }
seconds_since() { calc "($2 - $1) / 1e6"; } # seconds_since START_MICROS END_MICROS

# pair LABEL SRC DST: a fresh pair, as a new user makes one: both sides' .mirror/ state deleted, `mirror serve SRC`
# (its scan of SRC is not timed: a running peer has scanned long before anyone joins), then `mirror join INVITE
# DST`, timed until both report in sync with equal roots. Sets SCAN_SECONDS (serve's start to its join line),
# SYNC_SECONDS, WIRE (mirror's bytes on the wire) and RSS_MIB (largest peak RSS of the two peers).
pair() {
    local label=$1 src=$2 dst=$3 t0 before
    stop_peers
    rm -rf "$src/.mirror" "$dst/.mirror"
    mkdir -p "$dst"
    settle
    t0=$(now_micros)
    start_peer "$label-serve" serve "$src" --listen "127.0.0.1:$SERVE_PORT" "${PEER_OPTS[@]}"
    PEER_NAMES+=("$PEER_PID $label-serve")
    wait_for_invite "$label-serve" "$PEER_PID" || return 1
    SCAN_SECONDS=$(seconds_since "$t0" "$(now_micros)")
    settle # serve's index writes must not be flushed inside the timed part
    start_poller "$label-wait" "$src" "$dst" || return 1
    before=$(wire_bytes mirror)
    t0=$(now_micros)
    start_peer "$label-join" join "$INVITE" "$dst" --listen "127.0.0.1:$JOIN_PORT" "${PEER_OPTS[@]}"
    PEER_NAMES+=("$PEER_PID $label-join")
    finish_poller "$label-wait" || return 1
    SYNC_SECONDS=$(seconds_since "$t0" "$DONE_MICROS")
    WIRE=$(($(wire_bytes mirror) - before))
    RSS_MIB=$(peers_rss_mib)
    PAIR="$src $dst"
}

# ensure_pair LABEL SRC DST: the pair running and in sync (an untimed fresh pair if it is not running already).
ensure_pair() {
    [[ $PAIR == "$2 $3" ]] && return 0
    log "  pairing $2 and $3 (not timed)"
    pair "$@"
}

# change LABEL SRC DST COMMAND...: with the pair running and in sync, runs COMMAND (a change in SRC) and times
# it until both peers are in sync again at a new root. Sets SYNC_SECONDS and WIRE.
change() {
    local label=$1 src=$2 dst=$3 t0 before
    shift 3
    start_poller "$label-wait" "$src" "$dst" --changed-from "$LAST_ROOT" || return 1
    before=$(wire_bytes mirror)
    t0=$(now_micros)
    "$@"
    finish_poller "$label-wait" || return 1
    SYNC_SECONDS=$(seconds_since "$t0" "$DONE_MICROS")
    WIRE=$(($(wire_bytes mirror) - before))
}

# --- correctness checks --------------------------------------------------------------------------------------
# A sync that missed files would look fast for the wrong reason.

# same_listing WHAT SRC DST: the same names and sizes on both sides (cheap: every repetition).
same_listing() {
    local what=$1
    if ! cmp -s <(listing "$2") <(listing "$3"); then
        log "CHECK FAILED: $what: $3 does not hold the files of $2 (names or sizes differ):"
        diff <(listing "$2") <(listing "$3") | sed -n '1,6p' >&2 || true
        return 1
    fi
}

listing() { find "$1" -path "$1/.mirror" -prune -o -type f -printf '%P\t%s\n' | sort; }

# same_content WHAT SRC DST: byte for byte (rsync -c in a local dry run lists every file whose content differs, and
# with --delete every extra one). Once per measurement, after its last repetition.
same_content() {
    local what=$1 out
    out=$(rsync -rnci --delete --exclude=/.mirror/ "$2/" "$3/") || { log "CHECK FAILED: rsync -c failed"; return 1; }
    if [[ -n $out ]]; then
        log "CHECK FAILED: $what: contents differ between $2 and $3:"
        sed -n '1,6p' <<<"$out" >&2
        return 1
    fi
}

# --- 1 and 2: first mirror ----------------------------------------------------------------------------------

# bench_first_mirror NUMBER small|big BYTES: SRC to an empty destination, rsync first then mirror in every
# repetition, both destinations deleted together before it. Leaves the mirror pair running and in sync.
bench_first_mirror() {
    local num=$1 set=$2 bytes=$3 src=$MNT/src-$2 m=$MNT/m-$2 r=$MNT/r-$2 rep metric
    local m_times=() m_sync=() m_wire=() m_own=() scans=() rss=() r_times=() r_sync=() r_wire=() r_stats=()
    local t_m t_r t_rs
    if [[ $set == small ]]; then
        metric="$num first mirror, $SMALL_FILES small files ($(mib "$bytes"))"
    else
        metric="$num first mirror, 2 files of $BIG_MIB MiB"
    fi
    log "$num/5 first mirror of $set ($(mib "$bytes")) vs rsync -a over ssh"
    for ((rep = FIRST_REP; rep <= REPS; rep++)); do # rep 0 is the warm-up
        stop_peers
        rm -rf "$m" "$r" "$src/.mirror"
        mkdir -p "$r"
        settle
        if ! rsync_to "$set-rsync-$rep" "$src" "$r"; then
            error_row "$metric" "rsync failed (see log)"
            return
        fi
        t_r=$RUN_SECONDS
        timed_run "$LOGS/$set-rsync-sync-$rep" sync
        t_rs=$(calc "$t_r + $RUN_SECONDS")
        same_listing "rsync's first mirror of $set" "$src" "$r" ||
            { error_row "$metric" "rsync's copy is incomplete"; return; }
        ((rep > 0)) && r_times+=("$t_r") && r_sync+=("$t_rs") && r_wire+=("$WIRE") && r_stats+=("$RSYNC_STATS_BYTES")

        if ! pair "$set-$rep" "$src" "$m"; then
            error_row "$metric" "mirror failed (see log)"
            stop_peers
            return
        fi
        # mirror fsyncs what it writes: a sync right after should find (almost) nothing left to write.
        timed_run "$LOGS/$set-mirror-sync-$rep" sync
        same_listing "mirror's first mirror of $set" "$src" "$m" ||
            { error_row "$metric" "mirror's copy is incomplete"; return; }
        ((rep > 0)) && m_times+=("$SYNC_SECONDS") && m_sync+=("$RUN_SECONDS") && m_wire+=("$WIRE") &&
            m_own+=("$OWN_BYTES") && scans+=("$SCAN_SECONDS") && rss+=("$RSS_MIB")
        log "  $(rep_label "$rep"): mirror $SYNC_SECONDS s (+ sync $RUN_SECONDS s; serve's scan $SCAN_SECONDS s)," \
            "rsync $t_r s, rsync + sync $t_rs s"
    done
    if ! same_content "mirror ($set)" "$src" "$m" || ! same_content "rsync ($set)" "$src" "$r"; then
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
    row "$num serve's scan of the source (not in the time)" "$(median "${scans[@]}") s" "" "" "" ""
    row "$num peak RSS of a mirror peer" "$(max "${rss[@]}") MiB" "" "" "" ""
    DETAILS+=("$metric")
    DETAILS+=("                       wall s: mirror ${m_times[*]} | rsync ${r_times[*]} | rsync + sync ${r_sync[*]}")
    DETAILS+=("                       sync after mirror s: ${m_sync[*]} | serve's scan s: ${scans[*]}")
    DETAILS+=("                       wire bytes: mirror ${m_wire[*]} | rsync ${r_wire[*]}")
    DETAILS+=("                       own counts: mirror (status) ${m_own[*]} | rsync (--stats) ${r_stats[*]}")
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

row() { ROWS+=("$(printf '%s\t' "$@")"); }

rep_label() { if (($1 == 0)); then echo "warm-up"; else echo "rep $1/$REPS"; fi; }

# error_row METRIC WHAT: the measurement could not be made; this makes the exit status 1.
error_row() {
    row "$1" "$2" "" "" "" "ERROR"
    FAILURES+=("$1")
}

verdict() { [[ $(calc "($1) ? 1 : 0" %d) == 1 ]] && echo pass || echo fail; }

mib() { calc "$1 / 1048576" "%.1f MiB"; }

# human_bytes BYTES: in KiB below 1 MiB, else in MiB (the targets are 256 KiB and 1 MiB).
human_bytes() {
    awk -v b="$1" 'BEGIN { if (b < 1048576) printf "%.1f KiB", b / 1024; else printf "%.1f MiB", b / 1048576 }'
}

# align_columns pads tab-separated columns to their widest cell (util-linux `column` is not everywhere).
align_columns() {
    awk -F '\t' '{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) }
                    if (NF > n) n = NF }
        END { for (r = 1; r <= NR; r++) { line = ""
                  for (i = 1; i <= n; i++) line = line sprintf("%-" w[i] + 2 "s", cell[r, i])
                  sub(/ +$/, "", line); print line } }'
}

print_report() {
    local line end_load
    {
        printf 'metric\tmirror\treference\tratio\ttarget\tresult\n'
        for line in "${ROWS[@]}"; do printf '%s\n' "$line"; done
    } | align_columns
    echo
    echo "Repetitions (after the warm-up):"
    for line in "${DETAILS[@]}"; do echo "  $line"; done
    echo "Ratios: 1 and 3 mirror/rsync time; 2 mirror/rsync throughput; 4, 5 and wire rows mirror/rsync bytes."
    echo "mirror times end at the first poll that saw both peers in sync (every $POLL_MS ms; one poll of both" \
        "took ${POLL_MICROS:-?} µs on average). MB/s = 10^6 bytes/s; KiB, MiB = 2^10, 2^20 bytes."
    ((SMOKE)) && echo "SMOKE RUN: tiny data, one repetition, no warm-up: the numbers only show that the script works."
    end_load=$(load_average)
    if [[ $(calc "($START_LOAD > $(nproc) - 0.5 || $end_load > $(nproc) + 0.5) ? 1 : 0" %d) == 1 ]]; then
        echo "WARNING: load average $START_LOAD at start, $end_load at the end on $(nproc) cores: other work" \
            "shared the machine, wall times are noisy. Run again when it is quiet."
    fi
}

# On one line, so that editing this file during a run (git pull) cannot make bash read a half-changed tail.
main "$@"; exit
