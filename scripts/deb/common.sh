# shellcheck shell=bash disable=SC2034
# Shared by scripts/build-deb.sh and scripts/test-deb.sh (sourced, not run).

# Repository root and the one place the version lives.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEB_WORK="$REPO_ROOT/.build-deb"     # staging, caches, chroots (ignored by git: .build-*/)
DIST_DIR="$REPO_ROOT/dist"           # the built .deb files (*.deb is ignored by git)

log() { printf '%s %s\n' "[$(date +%H:%M:%S)]" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# read_version: the upstream version from VERSION, checked to be a valid
# Debian native version (no hyphen: there is no Debian revision).
read_version() {
    local v
    [ -r "$REPO_ROOT/VERSION" ] || die "VERSION file missing at $REPO_ROOT/VERSION"
    v=$(tr -d ' \t\r\n' < "$REPO_ROOT/VERSION")
    check_version "$v"
    printf '%s\n' "$v"
}

check_version() {
    [[ $1 =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || die "'$1' is not a valid Debian native version"
}

# ensure_packages PKG...: install the Debian packages that are missing (needs root).
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# deb_path VERSION: where build-deb.sh puts the package of that version.
deb_path() {
    printf '%s/as2-agent_%s_%s.deb\n' "$DIST_DIR" "$1" "$(dpkg --print-architecture)"
}
