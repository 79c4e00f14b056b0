#!/usr/bin/env bash
# Clean-system test of the Debian package (make test-deb; needs root).
#
# In a fresh Debian 12 (bookworm) root made by debootstrap from the Debian mirror
# this machine's apt uses, with no Swift toolchain: install dist/as2-agent_<version>
# with apt (dependencies from the archive), check what it installed, configure the
# agent ACME with two partners, GLOBEX and INITECH (two more agents from the same
# package, on loopback), run ACME as the as2-agent user with the unit's own
# ExecStartPre/ExecStart commands (a chroot runs no systemd), send a file to each
# partner through the outbox and find it in the partner's inbox with both sidecars;
# then upgrade to the same build repackaged with a bumped version (configuration and
# journal kept, still working), remove (data kept) and purge (data gone).
# The unit is checked offline (systemd-analyze verify and security).
#
# Environment: AS2_DEB_MIRROR (Debian mirror URL; default: the host's apt source),
# AS2_DEB_KEEP=1 (keep the chroot for inspection), AS2_DEB_TIMEOUT (seconds to
# wait for a delivery, default 60), AS2_DEB_SECURITY_THRESHOLD (default 2.0).
# Prints one line per check and ends with "N passed, N failed"; exits 1 on failure.
set -uo pipefail
source "$(dirname "$0")/deb/common.sh"

[ "$(id -u)" = 0 ] || die "test-deb.sh needs root (debootstrap, chroot, mounts)"
VERSION=$(read_version)
BUMPED="$VERSION+test1"
ARCH=$(dpkg --print-architecture)
DEB=$(deb_path "$VERSION")
[ -f "$DEB" ] || die "$DEB not found: run 'make deb' first"
TIMEOUT=${AS2_DEB_TIMEOUT:-60}
THRESHOLD=${AS2_DEB_SECURITY_THRESHOLD:-2.0}
SUITE=bookworm

ensure_packages debootstrap curl
command -v python3 >/dev/null || ensure_packages python3

started=$(date +%s)
mkdir -p "$DEB_WORK"
# Earlier runs' folders (logs, kept chroots) go, unless something is still mounted there.
for old in "$DEB_WORK"/test-*; do
    [ -d "$old" ] || continue
    awk -v r="$old/" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/self/mounts || rm -rf "$old"
done
RUN_DIR=$(mktemp -d "$DEB_WORK/test-XXXXXX")
ROOT="$RUN_DIR/root"
LOG="$RUN_DIR/test.log"
: > "$LOG"
PASSED=0 FAILED=0
FAILURES=()
AGENT_PIDS=()

# ---------------------------------------------------------------- helpers

pass() { PASSED=$((PASSED + 1)); printf 'PASS  %s\n' "$1"; }
fail() {
    FAILED=$((FAILED + 1)); FAILURES+=("$1")
    printf 'FAIL  %s\n' "$1"
    [ $# -lt 2 ] || printf '      %s\n' "${@:2}"
}
# check DESCRIPTION COMMAND...: one counted check; the command's output goes to the log.
check() {
    local desc=$1; shift
    printf '\n### %s\n$ %s\n' "$desc" "$*" >> "$LOG"
    if "$@" >> "$LOG" 2>&1; then pass "$desc"; else fail "$desc" "(see $LOG)"; fi
}
section() {
    local line="== $* (at $(( $(date +%s) - started )) s)"
    printf '\n%s\n' "$line"; printf '\n%s\n' "$line" >> "$LOG"
}

# in_root CMD...: run in the chroot with a clean environment.
in_root() {
    chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
# as_service CMD...: run in the chroot as the service user, as the unit does
# (User=/Group=as2-agent, UMask=0007, NoNewPrivileges).
as_service() {
    chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        HOME=/var/lib/as2-agent USER=as2-agent LOGNAME=as2-agent \
        /bin/sh -c 'umask 0007; exec setpriv --reuid=as2-agent --regid=as2-agent --init-groups --no-new-privs -- "$@"' \
        as2-agent "$@"
}
apt_in_root() { in_root apt-get -o Dpkg::Use-Pty=0 -o APT::Color=0 -q -y --no-install-recommends "$@" < /dev/null; }

stat_of() { stat -c '%a %U %G' "$ROOT$1" 2>/dev/null; }
# chroot_stat PATH: "mode owner group" as names inside the chroot.
chroot_stat() { in_root stat -c '%a %U %G' "$1" 2>/dev/null; }
is_eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for SECONDS COMMAND...: poll until the command succeeds.
wait_for() {
    local deadline=$(( $(date +%s) + $1 )); shift
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.5
    done
}

# healthy_or_gone PORT PID: true once it answers, or once it exited (no use waiting).
healthy_or_gone() { healthy "$1" || ! kill -0 "$2" 2>/dev/null; }
healthy() { curl -fsS --noproxy '*' --max-time 2 "http://127.0.0.1:$1/healthz" >/dev/null; }

# debian_sources: "mirror security-mirror" from the host's apt sources.
debian_sources() {
    python3 - <<'EOF'
import glob, re
mirror, security = None, None
def consider(uri, suites):
    global mirror, security
    for s in suites:
        if s.endswith("-security"):
            security = security or uri
        elif s in ("bookworm", "stable"):
            mirror = mirror or uri
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for stanza in open(path).read().split("\n\n"):
        f = dict(re.findall(r"^([A-Za-z-]+):\s*(.*)$", stanza, re.M))
        if f.get("Types", "").split() and "deb" in f["Types"].split() and f.get("Enabled", "yes") != "no":
            for uri in f.get("URIs", "").split():
                consider(uri.rstrip("/"), f.get("Suites", "").split())
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        m = re.match(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+(\S+)", line)
        if m:
            consider(m.group(1).rstrip("/"), [m.group(2)])
print(mirror or "http://deb.debian.org/debian", security or "http://deb.debian.org/debian-security")
EOF
}

stop_agent() { # stop_agent PID: SIGTERM, wait up to the unit's TimeoutStopSec; prints the exit status.
    local pid=$1 limit=${2:-90} i
    kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; echo "gone:$?"; return 1; }
    for ((i = 0; i < limit * 2; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; echo "killed"; return 1
    fi
    wait "$pid"; local rc=$?
    echo "exit:$rc"
    [ $rc = 0 ]
}

unmount_all() {
    local m
    # Deepest first; only mounts inside our chroot.
    for m in $(awk -v r="$ROOT" 'index($2, r) == 1 { print $2 }' /proc/self/mounts | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
}

cleanup() {
    local pid
    for pid in "${AGENT_PIDS[@]}"; do
        kill -0 "$pid" 2>/dev/null && { kill -TERM "$pid" 2>/dev/null; sleep 1; kill -KILL "$pid" 2>/dev/null; }
    done
    # Anything else still running inside the chroot (e.g. a watcher child).
    for proc in /proc/[0-9]*; do
        [ "$(readlink "$proc/root" 2>/dev/null)" = "$ROOT" ] && kill -KILL "${proc#/proc/}" 2>/dev/null
    done
    unmount_all
    if awk -v r="$ROOT" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
        echo "warning: mounts left under $ROOT; not deleting it" >&2
    elif [ "${AS2_DEB_KEEP:-0}" = 1 ]; then
        echo "kept: $ROOT" >&2
    else
        rm -rf "$ROOT"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- 1. the package file

section "package $(basename "$DEB")"
check "file name is as2-agent_<version>_<arch>.deb" test "$(basename "$DEB")" = "as2-agent_${VERSION}_${ARCH}.deb"
check "control: Package, Version, Architecture" test \
    "$(dpkg-deb --field "$DEB" Package Version Architecture | tr '\n' ' ')" = \
    "Package: as2-agent Version: $VERSION Architecture: $ARCH "
DEPENDS=$(dpkg-deb --field "$DEB" Depends)
echo "Depends: $DEPENDS" >> "$LOG"
for lib in libc6 libssl3 libsqlite3-0 zlib1g libinotifytools0 adduser procps; do
    if grep -Eq "(^|, )$lib( |,|$)" <<<"$DEPENDS"; then pass "Depends on $lib"
    else fail "Depends on $lib" "Depends: $DEPENDS"; fi
done
if grep -qi swift <<<"$DEPENDS"; then fail "no Swift runtime in Depends" "Depends: $DEPENDS"
else pass "no Swift runtime in Depends"; fi
printf 'size: %s KiB\n' "$(du -k "$DEB" | cut -f1)"

# ---------------------------------------------------------------- 2. a fresh Debian 12 root

section "fresh $SUITE root"
read -r MIRROR SECURITY <<<"$(debian_sources)"
MIRROR=${AS2_DEB_MIRROR:-$MIRROR}
CACHE="$DEB_WORK/cache/$SUITE-minbase-systemd-$ARCH.tar"
if [ ! -s "$CACHE" ]; then
    log "debootstrap $SUITE from $MIRROR (cached afterwards in $CACHE)"
    mkdir -p "$(dirname "$CACHE")"
    boot="$RUN_DIR/bootstrap"
    # minbase plus systemd: a systemd-based Debian 12 whose systemd does not run (a chroot).
    if debootstrap --variant=minbase --include=systemd "$SUITE" "$boot" "$MIRROR" >> "$LOG" 2>&1; then
        tar -C "$boot" -cf "$CACHE.part" . && mv "$CACHE.part" "$CACHE"
        pass "debootstrap $SUITE"
    else
        fail "debootstrap $SUITE" "(see $LOG)"
    fi
    for m in $(awk -v r="$boot" 'index($2, r) == 1 { print $2 }' /proc/self/mounts | sort -r); do umount -l "$m"; done
    awk -v r="$boot" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/self/mounts || rm -rf "$boot"
fi
[ -s "$CACHE" ] || { echo "$PASSED passed, $FAILED failed"; die "no $SUITE root"; }
mkdir -p "$ROOT"
tar -C "$ROOT" -xf "$CACHE"
mount -t proc proc "$ROOT/proc"
mount -t tmpfs -o mode=0755,size=1m,nosuid dev "$ROOT/dev"
for node in "null c 1 3" "zero c 1 5" "full c 1 7" "random c 1 8" "urandom c 1 9" "tty c 5 0"; do
    set -- $node; mknod -m 666 "$ROOT/dev/$1" "$2" "$3" "$4"
done
mkdir -p "$ROOT/dev/shm" "$ROOT/dev/pts"
ln -s /proc/self/fd "$ROOT/dev/fd"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
rm -f "$ROOT/etc/apt/sources.list"
cat > "$ROOT/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
check "root is Debian 12" grep -q '^VERSION_ID="12"' "$ROOT/etc/os-release"
check "no Swift toolchain in the root" sh -c "! chroot '$ROOT' sh -c 'command -v swift swiftc' && ! find '$ROOT' -xdev -name 'libswiftCore*' | grep -q ."
check "systemd installed but not running (no /run/systemd/system)" \
    sh -c "test -x '$ROOT/lib/systemd/systemd' && test ! -d '$ROOT/run/systemd/system'"
check "apt-get update" apt_in_root update

# ---------------------------------------------------------------- 3. install

section "install"
cp "$DEB" "$ROOT/tmp/"
check "apt-get install ./$(basename "$DEB") (dependencies from the archive)" \
    apt_in_root install "/tmp/$(basename "$DEB")"
check "package is installed at $VERSION" \
    test "$(in_root dpkg-query -W -f='${Status} ${Version}' as2-agent)" = "install ok installed $VERSION"
for f in /usr/bin/as2-agent /usr/lib/as2-agent/as2-agent-watch; do
    check "$f is executable" test -x "$ROOT$f"
    check "$f finds all its libraries" sh -c "chroot '$ROOT' ldd '$f' > /dev/null && ! chroot '$ROOT' ldd '$f' | grep -q 'not found'"
done
for f in /lib/systemd/system/as2-agent.service /etc/as2-agent/agent.conf \
         /usr/share/doc/as2-agent/copyright /usr/share/doc/as2-agent/changelog.gz \
         /usr/share/doc/as2-agent/README.md /usr/share/man/man8/as2-agent.8.gz \
         /usr/share/bash-completion/completions/as2-agent; do
    check "installs $f" test -f "$ROOT$f"
done
check "sample configuration in /usr/share/doc/as2-agent" \
    sh -c "ls '$ROOT/usr/share/doc/as2-agent/' | grep -q '^agent.conf.sample'"
check "man page as2-agent(8) is a manual page" sh -c "zcat '$ROOT/usr/share/man/man8/as2-agent.8.gz' | grep -q '^\.TH AS2-AGENT 8'"
check "bash completion parses and registers as2-agent" \
    in_root bash -c 'source /usr/share/bash-completion/completions/as2-agent && complete -p as2-agent'
check "/etc/as2-agent/agent.conf is a conffile" \
    sh -c "chroot '$ROOT' dpkg-query -W -f='\${Conffiles}' as2-agent | grep -q '^ /etc/as2-agent/agent.conf '"
PASSWD=$(in_root getent passwd as2-agent)
echo "passwd: $PASSWD" >> "$LOG"
IFS=: read -r _ _ SVC_UID SVC_GID _ SVC_HOME SVC_SHELL <<<"$PASSWD"
check "system user as2-agent (uid < 1000, nologin, home /var/lib/as2-agent)" \
    sh -c "[ -n '$SVC_UID' ] && [ '$SVC_UID' -lt 1000 ] && [ '$SVC_SHELL' = /usr/sbin/nologin ] && [ '$SVC_HOME' = /var/lib/as2-agent ]"
check "group as2-agent is the user's group" test "$(in_root getent group as2-agent | cut -d: -f3)" = "$SVC_GID"
check "/var/lib/as2-agent is 0750 as2-agent:as2-agent" is_eq "$(chroot_stat /var/lib/as2-agent)" "750 as2-agent as2-agent"
check "/var/spool/as2-agent is 2770 as2-agent:as2-agent" is_eq "$(chroot_stat /var/spool/as2-agent)" "2770 as2-agent as2-agent"
check "/etc/as2-agent/keys is 0700 as2-agent:as2-agent" is_eq "$(chroot_stat /etc/as2-agent/keys)" "700 as2-agent as2-agent"
check "/etc/as2-agent/secrets is 0700 as2-agent:as2-agent" is_eq "$(chroot_stat /etc/as2-agent/secrets)" "700 as2-agent as2-agent"
check "unit enabled (multi-user.target.wants)" \
    test -L "$ROOT/etc/systemd/system/multi-user.target.wants/as2-agent.service"
check "service not started by the postinst" sh -c "! ls -l /proc/*/exe 2>/dev/null | grep -q '$ROOT/usr/bin/as2-agent'"

# ---------------------------------------------------------------- 4. the unit, offline

section "systemd unit (offline)"
UNIT="$ROOT/lib/systemd/system/as2-agent.service"
unit_value() { sed -n "s/^$1=//p" "$UNIT" | head -n1; }
check "systemd-analyze verify" in_root systemd-analyze verify --man=no /lib/systemd/system/as2-agent.service
SECURITY_OUT=$(in_root systemd-analyze security --offline=true --threshold=100 /lib/systemd/system/as2-agent.service 2>&1)
echo "$SECURITY_OUT" >> "$LOG"
SCORE=$(sed -n 's/.*Overall exposure level for as2-agent.service: \([0-9.]*\).*/\1/p' <<<"$SECURITY_OUT")
if [ -n "$SCORE" ] && python3 -c "import sys; sys.exit(0 if float('$SCORE') <= float('$THRESHOLD') else 1)"; then
    pass "systemd-analyze security: exposure $SCORE (<= $THRESHOLD)"
else
    fail "systemd-analyze security: exposure '${SCORE:-?}' (<= $THRESHOLD)"
fi
for kv in "Type=simple" "User=as2-agent" "Restart=on-failure" "ProtectSystem=strict" "ProtectHome=yes" \
          "PrivateTmp=yes" "NoNewPrivileges=yes" "CapabilityBoundingSet=" \
          "ReadWritePaths=/var/lib/as2-agent /var/spool/as2-agent" "SystemCallFilter=@system-service"; do
    check "unit has $kv" grep -qx "$kv" "$UNIT"
done
check "unit reloads with SIGHUP" sh -c "grep -q '^ExecReload=.*-HUP \\\$MAINPID' '$UNIT'"
EXEC_START_PRE=$(unit_value ExecStartPre)
EXEC_START=$(unit_value ExecStart)
STOP_TIMEOUT=$(unit_value TimeoutStopSec | tr -dc 0-9)
check "ExecStart is as2-agent run on the installed config" \
    test "$EXEC_START" = "/usr/bin/as2-agent run --config /etc/as2-agent/agent.conf"

# ---------------------------------------------------------------- 5. the CLI on the installed system

section "command line"
OUT=$(as_service /usr/bin/as2-agent --version 2>&1); echo "--version: $OUT" >> "$LOG"
if grep -qF "$VERSION" <<<"$OUT"; then pass "as2-agent --version prints $VERSION"
else fail "as2-agent --version prints $VERSION" "got: $(head -c 200 <<<"$OUT")"; fi
OUT=$(as_service /usr/bin/as2-agent check-config --config /etc/as2-agent/agent.conf 2>&1); RC=$?
printf 'check-config (packaged sample): rc=%s\n%s\n' "$RC" "$OUT" >> "$LOG"
if { [ $RC = 0 ] || [ $RC = 78 ]; } && [ -n "$OUT" ]; then pass "check-config runs on the packaged configuration (exit $RC)"
else fail "check-config runs on the packaged configuration" "exit $RC: $(head -c 300 <<<"$OUT")"; fi
mkdir -p "$ROOT/tmp/bad"
printf '[agent]\nas2_id = "ACME"\nas2_idd = "typo"\n' > "$ROOT/tmp/bad/agent.conf"
OUT=$(as_service /usr/bin/as2-agent check-config --config /tmp/bad/agent.conf 2>&1); RC=$?
printf 'check-config (bad): rc=%s\n%s\n' "$RC" "$OUT" >> "$LOG"
if [ $RC = 78 ] && grep -q 'as2_idd' <<<"$OUT"; then pass "check-config rejects an unknown key (exit 78, names it)"
else fail "check-config rejects an unknown key (exit 78, names it)" "exit $RC: $(head -c 300 <<<"$OUT")"; fi

# ---------------------------------------------------------------- 6. three agents: ACME (the service) and its partners

section "configuration: ACME with partners GLOBEX and INITECH"
# generate_keys AS2ID DIR NAME: keys generate as the service user; links NAME.key/NAME.crt to its output.
generate_keys() {
    local id=$1 dir=$2 name=$3 key cert
    as_service /usr/bin/as2-agent keys generate --as2-id "$id" --out "$dir" >> "$LOG" 2>&1 || return 1
    # keys generate writes <name>.key and <name>.crt (docs/cli.md); newest first.
    key=$(cd "$ROOT$dir" && ls -t -- *.key 2>/dev/null | head -n1)
    cert=$(cd "$ROOT$dir" && ls -t -- *.crt 2>/dev/null | head -n1)
    [ -n "$key" ] && [ -n "$cert" ] || { echo "no key/certificate in $dir: $(ls -la "$ROOT$dir")"; return 1; }
    [ "$(stat -c %a "$ROOT$dir/$key")" = 600 ] || { echo "$dir/$key is not 0600"; return 1; }
    echo "$dir/$key $dir/$cert" > "$RUN_DIR/$name.files"
}
keyfile() { cut -d' ' -f1 "$RUN_DIR/$1.files" 2>/dev/null; }
certfile() { cut -d' ' -f2 "$RUN_DIR/$1.files" 2>/dev/null; }

for peer in globex initech; do
    mkdir -p "$ROOT/srv/as2-peers/$peer/keys" "$ROOT/srv/as2-peers/$peer/partners"
done
in_root chown -R as2-agent:as2-agent /srv/as2-peers
chmod 0700 "$ROOT"/srv/as2-peers/*/keys
check "keys generate for ACME into /etc/as2-agent/keys (as the service user)" generate_keys ACME /etc/as2-agent/keys acme
check "keys generate for GLOBEX" generate_keys GLOBEX /srv/as2-peers/globex/keys globex
check "keys generate for INITECH" generate_keys INITECH /srv/as2-peers/initech/keys initech

# Certificates exchanged as an administrator would.
[ -f "$RUN_DIR/globex.files" ] && install -m 0644 "$ROOT$(certfile globex)" "$ROOT/etc/as2-agent/partners/globex.crt"
[ -f "$RUN_DIR/initech.files" ] && install -m 0644 "$ROOT$(certfile initech)" "$ROOT/etc/as2-agent/partners/initech.crt"
for peer in globex initech; do
    [ -f "$RUN_DIR/acme.files" ] && install -m 0644 "$ROOT$(certfile acme)" "$ROOT/srv/as2-peers/$peer/partners/acme.crt"
done

P_ACME=$(free_port) A_ACME=$(free_port) P_GLOBEX=$(free_port) A_GLOBEX=$(free_port) P_INITECH=$(free_port) A_INITECH=$(free_port)
echo "ports: acme $P_ACME/$A_ACME globex $P_GLOBEX/$A_GLOBEX initech $P_INITECH/$A_INITECH" >> "$LOG"

cat > "$ROOT/etc/as2-agent/agent.conf" <<EOF
# ACME: configured by scripts/test-deb.sh as an administrator would.
[agent]
as2_id = "ACME"
spool_dir = "/var/spool/as2-agent"
state_dir = "/var/lib/as2-agent"
certificate = "$(certfile acme)"
private_key = "$(keyfile acme)"

[http]
listen = "127.0.0.1:$P_ACME"
admin_listen = "127.0.0.1:$A_ACME"

[[partner]]
name = "globex"
as2_id = "GLOBEX"
url = "http://127.0.0.1:$P_GLOBEX/as2"
certificate = "/etc/as2-agent/partners/globex.crt"
sign = "sha256"
encrypt = "aes256-cbc"
compress = "none"
mdn = "sync"
mdn_signed = true
content_type = "application/edi-x12"

[[partner]]
name = "initech"
as2_id = "INITECH"
url = "http://127.0.0.1:$P_INITECH/as2"
certificate = "/etc/as2-agent/partners/initech.crt"
sign = "sha384"
encrypt = "aes128-cbc"
compress = "before-signing"
mdn = "sync"
mdn_signed = true
content_type = "application/xml"
EOF
# The partners' configurations use paths relative to their folder.
peer_conf() { # peer_conf NAME AS2ID PORT ADMIN
    cat > "$ROOT/srv/as2-peers/$1/agent.conf" <<EOF
[agent]
as2_id = "$2"
spool_dir = "spool"
state_dir = "state"
certificate = "keys/$(basename "$(certfile "$1")")"
private_key = "keys/$(basename "$(keyfile "$1")")"

[http]
listen = "127.0.0.1:$3"
admin_listen = "127.0.0.1:$4"

[[partner]]
name = "acme"
as2_id = "ACME"
url = "http://127.0.0.1:$P_ACME/as2"
certificate = "partners/acme.crt"
sign = "sha256"
encrypt = "aes256-cbc"
mdn = "sync"
mdn_signed = true
EOF
}
peer_conf globex GLOBEX "$P_GLOBEX" "$A_GLOBEX"
peer_conf initech INITECH "$P_INITECH" "$A_INITECH"
in_root chown -R as2-agent:as2-agent /srv/as2-peers

check "check-config accepts ACME's configuration" as_service /usr/bin/as2-agent check-config --config /etc/as2-agent/agent.conf
check "check-config accepts GLOBEX's configuration" as_service /usr/bin/as2-agent check-config --config /srv/as2-peers/globex/agent.conf
check "check-config accepts INITECH's configuration" as_service /usr/bin/as2-agent check-config --config /srv/as2-peers/initech/agent.conf
check "the unit's ExecStartPre passes: $EXEC_START_PRE" as_service $EXEC_START_PRE

# ---------------------------------------------------------------- 7. run and exchange files

# start_agent NAME COMMAND...: run an agent in the background as the service user.
start_agent() {
    local name=$1; shift
    # A simple command in the background (not a function: that would fork a subshell),
    # so $! is the agent itself once chroot, env, sh and setpriv have exec'd.
    chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        HOME=/var/lib/as2-agent USER=as2-agent LOGNAME=as2-agent \
        /bin/sh -c 'umask 0007; exec setpriv --reuid=as2-agent --regid=as2-agent --init-groups --no-new-privs -- "$@"' \
        as2-agent "$@" >> "$RUN_DIR/$name.log" 2>&1 &
    local pid=$!
    AGENT_PIDS+=("$pid")
    eval "PID_${name^^}=$pid"
}
# ready NAME ADMINPORT: the agent answers /healthz and is still running.
ready() {
    local name=$1 port=$2 pid_var="PID_${1^^}"
    if wait_for 30 healthy_or_gone "$port" "${!pid_var}" && kill -0 "${!pid_var}" 2>/dev/null; then
        pass "$name is up (/healthz on 127.0.0.1:$port)"
    else fail "$name is up (/healthz on 127.0.0.1:$port)" "log: $(tail -n 5 "$RUN_DIR/$name.log" | tr '\n' ' ')"; return 1; fi
}

# deliver PARTNER PEER_SPOOL NAME CONTENT: drop a file into ACME's outbox for PARTNER and
# find it in the peer's inbox with both sidecars, and in ACME's sent/ with its receipt.
deliver() {
    local partner=$1 peer_inbox=$2 name=$3 content=$4
    local outbox="/var/spool/as2-agent/$partner/outbox"
    if ! kill -0 "${PID_ACME:-0}" 2>/dev/null; then
        fail "$partner: deliver $name" "ACME is not running: $(tail -n 3 "$RUN_DIR/acme.log" | tr '\n' ' ')"; return 1
    fi
    if ! wait_for 10 test -d "$ROOT$outbox"; then
        fail "$partner: ACME created $outbox"; return 1
    fi
    printf '%s' "$content" > "$RUN_DIR/$name"
    # Write under an ignored name, then rename: what a well-behaved writer does.
    install -m 0640 -o "$SVC_UID" -g "$SVC_GID" "$RUN_DIR/$name" "$ROOT$outbox/.$name.part"
    mv "$ROOT$outbox/.$name.part" "$ROOT$outbox/$name"
    local inbox="$ROOT$peer_inbox" sent="$ROOT/var/spool/as2-agent/$partner/sent"
    if wait_for "$TIMEOUT" test -f "$inbox/$name" -a -f "$inbox/$name.mdn.json" -a -f "$inbox/$name.mdn"; then
        pass "$partner: $name in the partner's inbox with $name.mdn.json and $name.mdn"
    else
        fail "$partner: $name in the partner's inbox with $name.mdn.json and $name.mdn" \
            "inbox: $(ls -A "$inbox" 2>&1 | tr '\n' ' ')" "ACME log: $(tail -n 5 "$RUN_DIR/acme.log" | tr '\n' ' ')"
        return 1
    fi
    check "$partner: received bytes are the sent bytes" cmp "$RUN_DIR/$name" "$inbox/$name"
    check "$partner: inbox sidecar is JSON with format, message_id and the file's sha256" \
        python3 - "$inbox/$name.mdn.json" "$RUN_DIR/$name" <<'EOF'
import hashlib, json, sys
sidecar = json.load(open(sys.argv[1]))
digest = hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
assert "format" in sidecar, "no format"
assert sidecar.get("message_id"), "no message_id"
assert sidecar.get("file", {}).get("sha256", "").lower() == digest, f"sha256 {sidecar.get('file')}"
EOF
    if wait_for "$TIMEOUT" test -f "$sent/$name" -a -f "$sent/$name.mdn.json"; then
        pass "$partner: $name moved to ACME's sent/ with $name.mdn.json"
    else
        fail "$partner: $name moved to ACME's sent/ with $name.mdn.json" "sent: $(ls -A "$sent" 2>&1 | tr '\n' ' ')"
        return 1
    fi
    check "$partner: ACME's receipt sidecar says the signed MDN verified and processed" \
        python3 - "$sent/$name.mdn.json" <<'EOF'
import json, sys
mdn = json.load(open(sys.argv[1])).get("mdn", {})
assert mdn.get("signature_verified") is True, mdn
assert mdn.get("disposition_type") == "processed" or "processed" in str(mdn.get("disposition", "")), mdn
EOF
    check "$partner: the outbox is empty again" test -z "$(ls -A "$ROOT$outbox")"
}

section "run: ACME with the unit's ExecStart, as the service user"
start_agent globex /usr/bin/as2-agent run --config /srv/as2-peers/globex/agent.conf
start_agent initech /usr/bin/as2-agent run --config /srv/as2-peers/initech/agent.conf
start_agent acme $EXEC_START
ready globex "$A_GLOBEX"; ready initech "$A_INITECH"
if ready acme "$A_ACME"; then
    check "ACME runs as the as2-agent user" \
        sh -c "grep -q '^Uid:[[:space:]]*${SVC_UID}[[:space:]]' /proc/$PID_ACME/status"
    check "ACME started its watcher /usr/lib/as2-agent/as2-agent-watch" sh -c "
        for s in /proc/[0-9]*/status; do
            grep -q '^PPid:[[:space:]]*$PID_ACME\$' \"\$s\" 2>/dev/null || continue
            readlink \"\${s%/status}/exe\" | grep -q '/usr/lib/as2-agent/as2-agent-watch\$' && exit 0
        done; exit 1"
fi
deliver globex /srv/as2-peers/globex/spool/acme/inbox invoice-0001.edi \
    "ISA*00*          *00*          *ZZ*ACME           *ZZ*GLOBEX         *$(date +%y%m%d)*1200*U*00401*000000001*0*P*>~"
deliver initech /srv/as2-peers/initech/spool/acme/inbox order-0001.xml \
    "<?xml version=\"1.0\"?><order id=\"1\"><line sku=\"A-1\" qty=\"$RANDOM\"/></order>"

section "reload and stop"
if kill -0 "${PID_ACME:-0}" 2>/dev/null; then
    kill -HUP "$PID_ACME"
    sleep 2
    check "ACME survives SIGHUP (reload) and stays healthy" sh -c "kill -0 $PID_ACME && curl -fsS --noproxy '*' --max-time 2 http://127.0.0.1:$A_ACME/healthz"
else
    fail "ACME survives SIGHUP (reload) and stays healthy" "ACME is not running"
fi
for name in acme globex initech; do
    pid_var="PID_${name^^}"
    check "$name stops cleanly on SIGTERM within ${STOP_TIMEOUT:-90}s (exit 0)" stop_agent "${!pid_var}" "${STOP_TIMEOUT:-90}"
done
check "the journal is in /var/lib/as2-agent" test -n "$(ls -A "$ROOT/var/lib/as2-agent")"
snapshot() { # snapshot FILE: checksums of configuration, keys and journal
    (cd "$ROOT" && find etc/as2-agent var/lib/as2-agent -type f -print0 | sort -z | xargs -0 -r sha256sum) > "$1"
}
snapshot "$RUN_DIR/before-upgrade.sha256"
ls -laR "$ROOT/var/lib/as2-agent" "$ROOT/var/spool/as2-agent" >> "$LOG" 2>&1

# ---------------------------------------------------------------- 8. upgrade

section "upgrade to $BUMPED (the same build, repackaged)"
mkdir -p "$RUN_DIR/bin"
dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$RUN_DIR/bin" ./usr/bin/as2-agent
# Fast compression for this throw-away package (xz of the 70 MB binary takes minutes).
check "repackage the release build as $BUMPED" \
    env DPKG_DEB_COMPRESSOR_TYPE=gzip DPKG_DEB_COMPRESSOR_LEVEL=1 "$REPO_ROOT/scripts/build-deb.sh" --binary "$RUN_DIR/bin/usr/bin/as2-agent" --version "$BUMPED" --no-lintian
BUMPED_DEB=$(deb_path "$BUMPED")
cp "$BUMPED_DEB" "$ROOT/tmp/" 2>/dev/null
# Pretend systemd runs, to see what the maintainer scripts ask of it: the marker the
# scripts test, and a deb-systemd-invoke that records its calls (in place of the real
# one: apt runs dpkg with its own PATH, DPkg::Path).
fake_systemd_on() {
    local dsi="$ROOT/usr/bin/deb-systemd-invoke"
    mkdir -p "$ROOT/run/systemd/system"
    [ -e "$dsi.real" ] || mv "$dsi" "$dsi.real"
    printf '#!/bin/sh\necho "$*" >> /run/deb-systemd-invoke.calls\n' > "$dsi"
    chmod 0755 "$dsi"
    : > "$ROOT/run/deb-systemd-invoke.calls"
}
fake_systemd_off() {
    local dsi="$ROOT/usr/bin/deb-systemd-invoke"
    rm -rf "$ROOT/run/systemd/system"
    [ ! -e "$dsi.real" ] || mv -f "$dsi.real" "$dsi"
}
systemd_calls() { tr '\n' ';' < "$ROOT/run/deb-systemd-invoke.calls"; }

fake_systemd_on
check "apt-get install ./$(basename "$BUMPED_DEB") (no conffile prompt)" \
    apt_in_root install "/tmp/$(basename "$BUMPED_DEB")"
CALLS=$(systemd_calls)
fake_systemd_off
echo "deb-systemd-invoke calls during the upgrade: $CALLS" >> "$LOG"
check "with systemd running, the upgrade try-restarts the service and stops nothing ($CALLS)" \
    test "$CALLS" = "try-restart as2-agent.service;"
check "package is installed at $BUMPED" \
    test "$(in_root dpkg-query -W -f='${Status} ${Version}' as2-agent)" = "install ok installed $BUMPED"
snapshot "$RUN_DIR/after-upgrade.sha256"
check "configuration, keys and journal unchanged by the upgrade" \
    diff "$RUN_DIR/before-upgrade.sha256" "$RUN_DIR/after-upgrade.sha256"
check "as2-agent keeps its uid" test "$(in_root id -u as2-agent)" = "$SVC_UID"
check "sent documents kept" test -f "$ROOT/var/spool/as2-agent/globex/sent/invoice-0001.edi"
check "/var/lib/as2-agent is still 0750 as2-agent:as2-agent" is_eq "$(chroot_stat /var/lib/as2-agent)" "750 as2-agent as2-agent"

section "after the upgrade: restart (what try-restart does) and send again"
start_agent globex /usr/bin/as2-agent run --config /srv/as2-peers/globex/agent.conf
start_agent acme $EXEC_START
ready globex "$A_GLOBEX"
ready acme "$A_ACME"
deliver globex /srv/as2-peers/globex/spool/acme/inbox invoice-0002.edi \
    "ISA*00*after-upgrade*$(date +%s)~"
check "invoice-0001.edi was not delivered twice" test ! -e "$ROOT/srv/as2-peers/globex/spool/acme/inbox/invoice-0001-1.edi"
for name in acme globex; do
    pid_var="PID_${name^^}"
    check "$name stops cleanly after the upgrade" stop_agent "${!pid_var}" "${STOP_TIMEOUT:-90}"
done

# ---------------------------------------------------------------- 9. remove, purge

section "remove"
fake_systemd_on
check "apt-get remove as2-agent" apt_in_root remove as2-agent
CALLS=$(systemd_calls)
fake_systemd_off
check "with systemd running, remove stops the service ($CALLS)" test "$CALLS" = "stop as2-agent.service;"
check "binaries removed" test ! -e "$ROOT/usr/bin/as2-agent" -a ! -e "$ROOT/usr/lib/as2-agent/as2-agent-watch"
check "package state is config-files" \
    test "$(in_root dpkg-query -W -f='${Status}' as2-agent)" = "deinstall ok config-files"
check "remove keeps the configuration and keys" test -f "$ROOT/etc/as2-agent/agent.conf" -a -f "$ROOT$(keyfile acme)"
check "remove keeps the journal and the spool" \
    test -n "$(ls -A "$ROOT/var/lib/as2-agent")" -a -f "$ROOT/var/spool/as2-agent/globex/sent/invoice-0001.edi"

section "purge"
# A backup of the configuration, as an administrator would keep one (used below).
cp -a "$ROOT/etc/as2-agent" "$RUN_DIR/etc-as2-agent.backup"
check "apt-get purge as2-agent" apt_in_root purge as2-agent
check "purge removes /etc/as2-agent, /var/lib/as2-agent, /var/spool/as2-agent" \
    test ! -e "$ROOT/etc/as2-agent" -a ! -e "$ROOT/var/lib/as2-agent" -a ! -e "$ROOT/var/spool/as2-agent"
check "purge removes the unit's enablement" test ! -e "$ROOT/etc/systemd/system/multi-user.target.wants/as2-agent.service"
STATUS=$(in_root dpkg-query -W -f='${Status}' as2-agent 2>/dev/null)
check "package is gone from dpkg (status '${STATUS:-none}')" sh -c "[ -z '$STATUS' ] || [ '$STATUS' = 'unknown ok not-installed' ]"

# ---------------------------------------------------------------- 10. first start

section "first installation with systemd running: started only with a valid configuration"
fake_systemd_on
OUT=$(apt_in_root install "/tmp/$(basename "$DEB")" 2>&1); RC=$?
printf '%s\n' "$OUT" >> "$LOG"
CALLS=$(systemd_calls)
check "with the packaged template: installed, enabled, not started ($CALLS)" \
    test $RC = 0 -a -z "$CALLS" -a -L "$ROOT/etc/systemd/system/multi-user.target.wants/as2-agent.service"
if grep -q "is not complete yet" <<<"$OUT"; then pass "with the packaged template: the installer says what to do"
else fail "with the packaged template: the installer says what to do"; fi
apt_in_root purge as2-agent >> "$LOG" 2>&1
# Configuration and keys restored from the backup before installing (configuration management).
cp -a "$RUN_DIR/etc-as2-agent.backup" "$ROOT/etc/as2-agent"
: > "$ROOT/run/deb-systemd-invoke.calls"
check "over a restored configuration: apt-get install (keeping our agent.conf)" \
    apt_in_root -o Dpkg::Options::=--force-confold install "/tmp/$(basename "$DEB")"
CALLS=$(systemd_calls)
check "over a restored valid configuration: check-config passes, the service is started ($CALLS)" \
    test "$CALLS" = "start as2-agent.service;"
fake_systemd_off
apt_in_root purge as2-agent >> "$LOG" 2>&1
check "purged again: nothing left" test ! -e "$ROOT/etc/as2-agent" -a ! -e "$ROOT/var/lib/as2-agent" -a ! -e "$ROOT/usr/bin/as2-agent"

# ---------------------------------------------------------------- summary

echo
echo "test-deb: $(( $(date +%s) - started )) s; log: $LOG"
if [ $FAILED -gt 0 ]; then
    echo "failed:"
    printf '  - %s\n' "${FAILURES[@]}"
fi
echo "$PASSED passed, $FAILED failed"
[ $FAILED = 0 ]
