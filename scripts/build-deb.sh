#!/usr/bin/env bash
# Builds dist/as2-agent_<version>_<arch>.deb with Debian's tooling (dpkg-buildpackage
# + debhelper, packaging/debian/) from a Swift release build whose runtime is linked
# statically, so the package depends on Debian libraries only (computed by
# dpkg-shlibdeps). The version comes from the top-level VERSION file.
#
#   scripts/build-deb.sh [--no-build | --binary FILE] [--version V] [--no-lintian]
#
#   --no-build    reuse the existing release binary (repackaging, e.g. a bumped version)
#   --binary FILE package this as2-agent binary instead of building one
#   --version V   package version instead of VERSION's (the binary is not rebuilt for it)
#   --no-lintian  skip lintian (run by default; its errors fail the build)
set -euo pipefail
source "$(dirname "$0")/deb/common.sh"

build=1 lintian=1 version="" agent=""
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --no-lintian) lintian=0 ;;
        --binary) agent=${2:?--binary needs a file}; build=0; shift ;;
        --version) version=${2:?--version needs a value}; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
done

upstream=$(read_version)
[ -n "$version" ] || version=$upstream
check_version "$version"
cd "$REPO_ROOT"

ensure_packages build-essential dpkg-dev debhelper \
    libssl-dev libinotifytools0-dev libsqlite3-dev zlib1g-dev
[ $lintian = 0 ] || ensure_packages lintian

# 1. The release build (the slow part: several minutes on two cores).
# Linked with full RELRO and BIND_NOW, as Debian's hardening flags do for C programs.
swift_flags=(-c release --static-swift-stdlib --product as2-agent
             -Xlinker -z -Xlinker relro -Xlinker -z -Xlinker now)
if [ $build = 1 ]; then
    log "swift build ${swift_flags[*]}"
    start=$(date +%s)
    swift build "${swift_flags[@]}"
    log "release build took $(( $(date +%s) - start )) s"
fi
if [ -z "$agent" ]; then
    agent="$(swift build -c release --static-swift-stdlib --show-bin-path)/as2-agent"
    [ -x "$agent" ] || die "no release binary at $agent: run without --no-build"
fi
[ -x "$agent" ] || die "$agent is not an executable"
agent=$(realpath "$agent")

# 2. The binary must need nothing from a Swift toolchain at run time.
needed=$(objdump -p "$agent" | awk '/NEEDED/ { print $2 }')
if grep -qiE '^lib(swift|Foundation|_Foundation|dispatch|BlocksRuntime|icu)' <<<"$needed"; then
    die "$agent links Swift runtime libraries dynamically:"$'\n'"$needed"
fi
log "as2-agent needs: $(tr '\n' ' ' <<<"$needed")"
agent_version=$("$agent" --version 2>&1 | head -n1 || true)
if [[ $agent_version != *"$upstream"* ]]; then
    log "WARNING: 'as2-agent --version' prints '$agent_version', not the VERSION file's $upstream"
fi

# 3. Every Swift package the build resolved must have a stanza in debian/copyright.
if [ -d .build/checkouts ]; then
    for pkg in .build/checkouts/*/; do
        name=$(basename "$pkg")
        grep -q "^\(Files:\)\? *\.build/checkouts/$name/\*" packaging/debian/copyright \
            || die "packaging/debian/copyright has no stanza for the Swift package $name (statically linked)"
    done
fi

# 4. The staging tree that dpkg-buildpackage builds from.
stage="$DEB_WORK/stage/as2-agent-$version"
rm -rf "$DEB_WORK/stage"
mkdir -p "$stage"/{prebuilt,watch,conf,completion,docs}
cp -a packaging/debian "$stage/debian"
install -m 0755 "$agent" "$stage/prebuilt/as2-agent"
cp -a Sources/as2-agent-watch/. "$stage/watch/"
rm -f "$stage/watch/COPYING"
install -m 0644 agent.conf.sample "$stage/conf/agent.conf"
cp README.md agent.conf.sample "$stage/"
# User documentation (the contributors' architecture notes stay out).
printf '%s\n' README.md agent.conf.sample > "$stage/debian/as2-agent.docs"
for doc in docs/*; do
    [ -e "$doc" ] || continue
    case "$(basename "$doc")" in
        architecture.md) ;;
        *) cp -a "$doc" "$stage/docs/"; echo "docs/$(basename "$doc")" >> "$stage/debian/as2-agent.docs" ;;
    esac
done

epoch=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH=$epoch
changelog_date=$(date -u -R -d "@$epoch")
maintainer=$(sed -n 's/^Maintainer: //p' packaging/debian/control)
{
    if [ "$version" != "$upstream" ]; then
        printf 'as2-agent (%s) unstable; urgency=medium\n\n' "$version"
        printf '  * Repackaged build of %s.\n\n -- %s  %s\n\n' "$upstream" "$maintainer" "$changelog_date"
    fi
    printf 'as2-agent (%s) unstable; urgency=medium\n\n' "$upstream"
    sed -e 's/^/  /' packaging/changes.txt
    printf '\n -- %s  %s\n' "$maintainer" "$changelog_date"
} > "$stage/debian/changelog"

sed -e "s/@VERSION@/$version/g" \
    -e "s/^\.TH AS2-AGENT 8 \"\"/.TH AS2-AGENT 8 \"$(date -u -d "@$epoch" +%Y-%m-%d)\"/" \
    packaging/as2-agent.8 > "$stage/as2-agent.8"

# Bash completion from the binary (swift-argument-parser) when it can, else the static file.
completion=$("$agent" --generate-completion-script bash 2>/dev/null || true)
if grep -q '^complete ' <<<"$completion" && bash -n <<<"$completion" 2>/dev/null; then
    # Sourced, not run: no #! line (lintian bash-completion-with-hashbang).
    printf '%s\n' "$completion" | sed '1{/^#!/d}' > "$stage/completion/as2-agent"
    log "bash completion generated by as2-agent"
else
    cp packaging/as2-agent.bash-completion "$stage/completion/as2-agent"
    log "bash completion: static fallback (the binary does not generate one)"
fi

# 5. Build the binary package.
log "dpkg-buildpackage (as2-agent $version)"
(cd "$stage" && dpkg-buildpackage -b -us -uc -ui > "$DEB_WORK/dpkg-buildpackage.log" 2>&1) \
    || { tail -n 40 "$DEB_WORK/dpkg-buildpackage.log" >&2; die "dpkg-buildpackage failed (log: $DEB_WORK/dpkg-buildpackage.log)"; }
arch=$(dpkg --print-architecture)
built="$DEB_WORK/stage/as2-agent_${version}_${arch}.deb"
[ -f "$built" ] || die "dpkg-buildpackage made no $built"
mkdir -p "$DIST_DIR"
out=$(deb_path "$version")
cp "$built" "$out"
log "built $out ($(du -k "$out" | cut -f1) KiB)"
dpkg-deb --field "$out" Depends | sed 's/^/Depends: /' >&2

# 6. lintian: errors fail the build; warnings and notes are printed.
if [ $lintian = 1 ]; then
    log "lintian"
    lintian --display-info --fail-on error "$out"
    log "lintian: no errors"
fi
echo "$out"
