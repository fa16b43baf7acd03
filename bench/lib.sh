# shellcheck shell=bash disable=SC2034  # RUN_* and BENCH_* are outputs for the scripts that source this
# Helpers shared by the bench/*.sh scripts: logging, tool checks, a fresh loop-mounted ext4 image, timed runs,
# medians and number formatting; for the scripts that run peers (mirror.sh, pairs.sh, live.sh): the start of such a
# run, our own sshd and rsync over it, nftables byte counters, mirror peers and their poller, copy checks, and the
# report table. Source it from a script that runs with `set -euo pipefail`.
#
# Those sections read settings the script sets before calling them: LOGS (log directory); SSH_DIR, SSH_PORT,
# RSYNC_SSH_OPTS (sshd, rsync); NFT_TABLE (counters); MIRROR_BIN, CALLER_JAVA_OPTS, PEER_OPTS (array), SERVE_PORT,
# JOIN_PORT, CLASSES (compiled WaitInSync), POLL_MS, SYNC_TIMEOUT_S, STATUS_VIA (mirror peers).

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

# --- the start of a run beside rsync -------------------------------------------------------------------------

# What every script that runs mirror peers beside rsync over ssh needs; a script adds its own to these lists.
PEER_RUN_COMMANDS=(java javac mkfs.ext4 mount umount mountpoint sync setsid ss ps cmp)
PEER_RUN_TOOLS=(rsync:rsync sshd:openssh-server ssh:openssh-client ssh-keygen:openssh-client nft:nftables
    /usr/bin/time:time)

# cleanup: what start_peer_run's trap undoes on exit: the poller, the peers (they hold files open on the image), then
# sshd, the counters and the images. A script that starts more (live.sh: Syncthing) defines its own after sourcing.
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [[ -n ${POLLER_PID-} ]]; then kill "$POLLER_PID" 2>/dev/null || true; fi
    stop_peers
    stop_sshd
    stop_counters
    unmount_images
}

# start_peer_run PORT... [-- JAVA_SOURCE...]: the first steps of such a script, after its tool checks: the traps
# (`cleanup` on exit), an empty LOGS, the PORTs refused if one is in use, START_LOAD (before our own work
# raises the load), and WaitInSync (and the JAVA_SOURCEs of bench/) compiled into CLASSES once, so that each use
# starts in a fraction of a second.
start_peer_run() {
    local ports=() sources=("$SCRIPT_DIR/WaitInSync.java") file
    while (($#)) && [[ $1 != -- ]]; do ports+=("$1"); shift; done
    if (($#)); then
        shift
        for file in "$@"; do sources+=("$SCRIPT_DIR/$file"); done
    fi
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    rm -rf "$LOGS" "$SSH_DIR" "$CLASSES"
    mkdir -p "$LOGS"
    check_ports_free "${ports[@]}"
    START_LOAD=$(load_average)
    javac -d "$CLASSES" "${sources[@]}"
}

# --- a fresh ext4 image per run --------------------------------------------------------------------------
# Why: the root file system here is ext4 with online discard, where creating files right after deleting others
# costs several times more kernel CPU (FIELD-NOTES, "Benchmark trap"). A new image mounted without discard
# gives every run the same clean file system, whatever ran before.

declare -A BENCH_IMAGE_OF=() # the images mounted by mount_fresh_image, by mount point

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
    BENCH_IMAGE_OF[$mnt]=$image
    # `-o loop` sets autoclear: unmounting also frees the loop device.
    mount -o loop,nodiscard "$image" "$mnt"
    log "mounted fresh ext4 image $image ($size_mib MiB, $inodes inodes) at $mnt"
}

# unmount_image MOUNTPOINT: unmounts an image mount_fresh_image mounted there and deletes it; nothing if there is
# none. Safe to call twice.
unmount_image() {
    local mnt=$1
    [[ -n ${BENCH_IMAGE_OF[$mnt]-} ]] || return 0
    if mountpoint -q "$mnt"; then
        # A child killed by Ctrl-C may hold files open for a moment: retry, then detach lazily.
        umount "$mnt" 2>/dev/null || { sleep 2; umount "$mnt" 2>/dev/null; } ||
            umount -l "$mnt" || log "could not unmount $mnt; run 'umount $mnt'"
    fi
    rm -f "${BENCH_IMAGE_OF[$mnt]}"
    unset "BENCH_IMAGE_OF[$mnt]"
}

# unmount_images: every image mount_fresh_image mounted (for EXIT traps).
unmount_images() {
    local mnt
    for mnt in "${!BENCH_IMAGE_OF[@]}"; do unmount_image "$mnt"; done
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

# CPU time of processes that outlive a timed_run (the peers, sshd's side of rsync), from /proc, in clock ticks.
CLOCK_TICKS=$(getconf CLK_TCK)

# group_cpu_ticks PGID: user + system ticks of the processes in group PGID so far, children they reaped included.
group_cpu_ticks() {
    local pid stat fields ticks=0
    for pid in $(ps -e -o pid=,pgid= | awk -v g="$1" '$2 == g { print $1 }'); do
        { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || continue
        # After "(comm) ", fields[0] is stat(5)'s field 3: utime, stime, cutime, cstime are fields 14 to 17.
        read -r -a fields <<<"${stat##*) }"
        ticks=$((ticks + fields[11] + fields[12] + fields[13] + fields[14]))
    done
    echo "$ticks"
}

# reaped_cpu_ticks PID: user + system ticks of the children PID has reaped so far (cutime + cstime).
reaped_cpu_ticks() {
    local stat fields
    read -r stat <"/proc/$1/stat"
    read -r -a fields <<<"${stat##*) }"
    echo $((fields[13] + fields[14]))
}

ticks_to_seconds() { calc "$1 / $CLOCK_TICKS" %.2f; }

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

# --- processes and ports ------------------------------------------------------------------------------------

# check_ports_free PORT...: refuse to start when one of our fixed loopback ports is taken, rather than count someone
# else's traffic or fail half-way.
check_ports_free() {
    local port
    for port in "$@"; do
        if ss -Hltn "sport = :$port" | grep -q .; then
            die "TCP port $port is in use (an earlier run still going, or killed?); free it and start again."
        fi
    done
}

now_micros() { echo "${EPOCHREALTIME//[.,]/}"; }
seconds_since() { calc "($2 - $1) / 1e6"; } # seconds_since START_MICROS END_MICROS

# tree_bytes DIR: bytes in regular files, the tools' state directories left out.
tree_bytes() { files "$1" '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }

# files DIR FORMAT: find's -printf FORMAT for every regular file under DIR, without the tools' own state: mirror's
# .mirror/ and Syncthing's .stfolder/ marker (both at the top of a folder).
files() { find "$1" \( -path "$1/.mirror" -o -path "$1/.stfolder" \) -prune -o -type f -printf "$2"; }

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
# what it sent and received, without ssh's overhead), RSYNC_FILES (regular files it transferred) and
# RSYNC_CPU_SECONDS (CPU time of both ends: the local rsync and ssh, and what sshd ran for the session).
rsync_to() {
    local name=$1 src=$2 dst=$3 before server_before server_ticks status=0 i
    shift 3
    before=$(wire_bytes ssh)
    server_before=$(reaped_cpu_ticks "$SSHD_PID")
    timed_run "$LOGS/$name" rsync -a --stats --exclude=/.mirror/ -e "${SSH_COMMAND[*]}" "$@" \
        "$src/" "root@127.0.0.1:$dst/" || status=$?
    WIRE=$(($(wire_bytes ssh) - before))
    # The receiving rsync runs under our sshd: its CPU time reaches sshd's count once sshd has reaped the session.
    for ((i = 0; i < 50; i++)); do
        pgrep -P "$SSHD_PID" >/dev/null || break
        sleep 0.05
    done
    server_ticks=$(($(reaped_cpu_ticks "$SSHD_PID") - server_before))
    RSYNC_CPU_SECONDS=$(calc "$RUN_CPU_SECONDS + $(ticks_to_seconds "$server_ticks")" %.2f)
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

# start_counters NAME=PORT[,PORT...]...: the table NFT_TABLE with one counter NAME for the TCP ports listed,
# e.g. start_counters ssh=22722 mirror=47301,47302.
start_counters() {
    local spec name ports counters="" rules=""
    for spec in "$@"; do
        name=${spec%%=*}
        ports=${spec#*=}
        ports=${ports//,/, }
        counters+="    counter $name {}"$'\n'
        rules+="        oifname \"lo\" tcp dport { $ports } counter name \"$name\" accept"$'\n'
        rules+="        oifname \"lo\" tcp sport { $ports } counter name \"$name\" accept"$'\n'
    done
    stop_counters # a table left by a run that was killed
    nft -f - <<EOF
table inet $NFT_TABLE {
$counters    chain out {
        type filter hook output priority 0; policy accept;
$rules    }
}
EOF
}

# shellcheck disable=SC2317 # called from EXIT traps
stop_counters() { nft delete table inet "$NFT_TABLE" 2>/dev/null || true; }

# wire_bytes NAME: bytes counted so far by counter NAME (IP packets, headers included, both directions).
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
            k=$(proc_kib "$pid" VmHWM)
            ((k > kib)) && kib=$k
        done
    done
    echo $((kib / 1024))
}

# stop_peers: SIGTERM to every peer (a clean stop), SIGKILL after 30 s.
stop_peers() {
    stop_groups "mirror peer" "${PEER_GROUPS[@]}"
    PEER_GROUPS=()
    PAIR=""
}

# stop_groups WHAT PGID...: SIGTERM to every process group (a clean stop), SIGKILL to those still there after 30 s.
# shellcheck disable=SC2317 # called from EXIT traps
stop_groups() {
    local what=$1 group deadline=$((SECONDS + 30))
    shift
    for group in "$@"; do kill -TERM -- "-$group" 2>/dev/null || true; done
    for group in "$@"; do
        while group_alive "$group" && ((SECONDS < deadline)); do sleep 0.1; done
        if group_alive "$group"; then
            log "warning: $what $group ignored SIGTERM for 30 s; killing it"
            kill -KILL -- "-$group" 2>/dev/null || true
        fi
        wait "$group" 2>/dev/null || true
    done
}

# proc_kib PID FIELD: a field of /proc/PID/status in KiB (VmHWM: peak RSS so far, VmRSS: RSS now); 0 if gone.
proc_kib() { awk -v f="$2:" '$1 == f { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$1/status" 2>/dev/null ||
    echo 0; }

# group_java_pid PGID: the JVM of a mirror peer's process group (bin/mirror may still be a shell around it).
group_java_pid() { ps -e -o pid=,pgid=,comm= | awk -v g="$1" '$2 == g && $3 == "java" { print $1; exit }'; }

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

# pair LABEL SRC DST: a fresh pair, as a new user makes one: both sides' .mirror/ state deleted, `mirror serve SRC`
# (its scan of SRC is not timed: a running peer has scanned long before anyone joins), then `mirror join INVITE
# DST`, timed until both report in sync with equal roots. Sets SCAN_SECONDS (serve's start to its join line),
# SYNC_SECONDS, WIRE (mirror's bytes on the wire), RSS_MIB (largest peak RSS of the two peers) and
# MIRROR_CPU_SECONDS (CPU time of both peers from join's start until both were seen in sync).
pair() {
    local label=$1 src=$2 dst=$3 t0 before serve serve_before
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
    serve=$PEER_PID
    serve_before=$(group_cpu_ticks "$serve")
    before=$(wire_bytes mirror)
    t0=$(now_micros)
    start_peer "$label-join" join "$INVITE" "$dst" --listen "127.0.0.1:$JOIN_PORT" "${PEER_OPTS[@]}"
    PEER_NAMES+=("$PEER_PID $label-join")
    finish_poller "$label-wait" || return 1
    SYNC_SECONDS=$(seconds_since "$t0" "$DONE_MICROS")
    MIRROR_CPU_SECONDS=$(ticks_to_seconds \
        $(($(group_cpu_ticks "$serve") - serve_before + $(group_cpu_ticks "$PEER_PID"))))
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

listing() { files "$1" '%P\t%s\n' | sort; }

# same_content WHAT SRC DST: byte for byte (rsync -c in a local dry run lists every file whose content differs, and
# with --delete every extra one). Once per measurement, after its last repetition.
same_content() {
    local what=$1 out
    out=$(rsync -rnci --delete --exclude=/.mirror/ --exclude=/.stfolder/ "$2/" "$3/") || { log "CHECK FAILED: rsync -c failed"; return 1; }
    if [[ -n $out ]]; then
        log "CHECK FAILED: $what: contents differ between $2 and $3:"
        sed -n '1,6p' <<<"$out" >&2
        return 1
    fi
}

# --- report ------------------------------------------------------------------------------------------------
# The scripts collect their table in ROWS (tab-separated cells) and failed measurements in FAILURES.

REPORT_COLUMNS=6 # cells a row has: a script with another table sets it

row() { ROWS+=("$(printf '%s\t' "$@")"); }

# error_row METRIC WHAT: the measurement could not be made (ERROR in the last column); the exit status becomes 1.
error_row() {
    local cells=("$1" "$2") i
    for ((i = 3; i < REPORT_COLUMNS; i++)); do cells+=(""); done
    row "${cells[@]}" "ERROR"
    FAILURES+=("$1")
}

# rep_label REP: how progress lines name repetition REP of REPS (0 is the warm-up).
rep_label() { if (($1 == 0)); then echo "warm-up"; else echo "rep $1/$REPS"; fi; }

verdict() { [[ $(calc "($1) ? 1 : 0" %d) == 1 ]] && echo pass || echo fail; }

# print_table HEADER_CELL...: the header and ROWS, aligned.
print_table() {
    local line
    {
        printf '%s\t' "$@"
        printf '\n'
        for line in "${ROWS[@]}"; do printf '%s\n' "$line"; done
    } | align_columns
}

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

# header_lines: the report header's lines about the machine, the mirror build and rsync, shared by the scripts that
# run mirror peers beside rsync over ssh (needs MIRROR_BIN, CALLER_JAVA_OPTS, PEER_OPTS, SERVE_PORT, JOIN_PORT,
# SSH_PORT, SSH_CIPHER, RSYNC_SSH_OPTS).
header_lines() {
    local home commit jar cpu ram_gib extra=""
    home=$(dirname "$(dirname "$(readlink -f "$MIRROR_BIN")")")
    commit=$(git -C "$home" describe --always --dirty 2>/dev/null || echo unknown)
    jar=$(date -r "$home/target/mirror.jar" '+%Y-%m-%d %H:%M' 2>/dev/null || echo unknown)
    cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p')
    ram_gib=$(free -g | awk '/^Mem:/ { print $2 }')
    echo "  machine : $(nproc) cores, $cpu, $ram_gib GiB RAM, kernel $(uname -r)"
    echo "  mirror  : $MIRROR_BIN (checkout at $commit, target/mirror.jar built $jar)"
    echo "            MIRROR_JAVA_OPTS='$CALLER_JAVA_OPTS', MIRROR_PEER_OPTS='${PEER_OPTS[*]}';" \
        "serve on 127.0.0.1:$SERVE_PORT, join on :$JOIN_PORT"
    [[ -n $RSYNC_SSH_OPTS ]] && extra=" (RSYNC_SSH_OPTS='$RSYNC_SSH_OPTS')"
    echo "  rsync   : rsync -a over ssh to root@127.0.0.1:$SSH_PORT (own sshd), cipher $SSH_CIPHER$extra"
    # sed, not head: head exits early, the writer gets SIGPIPE, and pipefail turns that into a failure.
    echo "  tools   : $(java -version 2>&1 | sed -n 1p); $(rsync --version | sed -n 1p | awk '{ print $1, $3 }');" \
        "$(ssh -V 2>&1 | cut -d, -f1)"
}

# load_warning START_LOAD: a line for the end of a report when other work shared the machine.
load_warning() {
    local end_load
    end_load=$(load_average)
    if [[ $(calc "($1 > $(nproc) - 0.5 || $end_load > $(nproc) + 0.5) ? 1 : 0" %d) == 1 ]]; then
        echo "WARNING: load average $1 at start, $end_load at the end on $(nproc) cores: other work" \
            "shared the machine, wall times are noisy. Compare CPU times where listed, or run again when it is quiet."
    fi
}

# log_image_use MOUNTPOINT: how much of the image a run used, to size it better next time.
log_image_use() {
    log "image use at the end: $(df -h --output=used,size "$1" | tail -n 1 | awk '{ print $1 " of " $2 }')," \
        "$(df --output=iused,itotal "$1" | tail -n 1 | awk '{ print $1 " of " $2 }') inodes"
}

# exit_on_failures: exit status 1, naming them, when a measurement failed (the report is printed by then).
exit_on_failures() {
    if ((${#FAILURES[@]})); then
        log "FAILED: $(printf '[%s] ' "${FAILURES[@]}")(logs in $LOGS)"
        exit 1
    fi
}
