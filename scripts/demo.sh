#!/usr/bin/env bash
# The `make run` demo: two agents, ACME and GLOBEX, on loopback (docs/demo/README.md).
# Generates keys on first start, cross-installs the certificates, checks both configurations,
# and starts both agents in the foreground when `as2-agent run` exists (Ctrl-C stops both).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${AS2_AGENT_BIN:-$(cd "$root" && swift build --show-bin-path)/as2-agent}"
demo="$root/demo"
confs="$root/docs/demo"

if [ ! -x "$bin" ]; then
    echo "demo: $bin not found; run 'swift build' (or 'make run') first" >&2
    exit 1
fi

# 1. Keys: generated once, kept across runs (delete demo/ to start over).
declare -A as2_id=([acme]=ACME [globex]=GLOBEX)
for id in acme globex; do
    mkdir -p "$demo/$id/keys" "$demo/$id/partners" "$demo/$id/spool" "$demo/$id/state"
    chmod 700 "$demo/$id/keys"
    if [ ! -f "$demo/$id/keys/$id.key" ] || [ ! -f "$demo/$id/keys/$id.crt" ]; then
        echo "== generating the key and certificate of ${as2_id[$id]}"
        "$bin" keys generate --as2-id "${as2_id[$id]}" --name "$id" --out "$demo/$id/keys" \
            --bits 2048 --days 365 --organization "${as2_id[$id]} demo" --force
    fi
done

# 2. Each side's certificate is the other's partner certificate.
"$bin" keys export --cert "$demo/acme/keys/acme.crt" --out "$demo/globex/partners/acme.crt" --force >/dev/null
"$bin" keys export --cert "$demo/globex/keys/globex.crt" --out "$demo/acme/partners/globex.crt" --force >/dev/null

# 3. Both configurations must check out (warnings are fine, errors stop the demo).
for id in acme globex; do
    echo "== as2-agent check-config --config docs/demo/$id.conf"
    if ! "$bin" check-config --config "$confs/$id.conf"; then
        echo "demo: docs/demo/$id.conf has errors (see above)" >&2
        exit 78
    fi
done

cat <<INFO

== where files go
  ACME   sends what you drop into   $demo/acme/spool/globex/outbox/
         GLOBEX receives it in       $demo/globex/spool/acme/inbox/
  GLOBEX sends what you drop into   $demo/globex/spool/acme/outbox/
         ACME receives it in         $demo/acme/spool/globex/inbox/
  Sent files move to sent/ (with <name>.mdn.json), failures to failed/ (with <name>.error.json).

INFO

# 4. Run both agents in the foreground, if this build has the run command (an unknown
#    subcommand with --help prints the top-level help, so look for run's own usage line).
if ! "$bin" run --help 2>/dev/null | grep -q "USAGE: as2-agent run"; then
    echo "The agent's 'run' command is not in this build yet: keys and configuration are ready."
    exit 0
fi

pids=()
stopping=""
stop() {
    trap - INT TERM
    stopping=1
    echo
    echo "== stopping both agents"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait
}
trap stop INT TERM
for id in acme globex; do
    # Process substitution keeps $! the agent's pid (not a pipeline's last command).
    "$bin" run --config "$confs/$id.conf" > >(sed -u "s/^/[$id] /") 2>&1 &
    pids+=("$!")
done

# Ready when both admin listeners answer /healthz (listening and watching their outboxes).
healthy() { (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /healthz HTTP/1.0\r\n\r\n' >&3 && head -n1 <&3 | grep -q " 200") 2>/dev/null; }
for _ in $(seq 1 100); do
    if healthy 4081 && healthy 4091; then break; fi
    sleep 0.2
done
if healthy 4081 && healthy 4091; then
    echo "== both agents running; drop a file into an outbox above. Ctrl-C stops both."
else
    echo "== the agents are not healthy yet (see their log lines above)" >&2
fi

# Until Ctrl-C, or until one agent exits on its own (then the other is stopped too).
set +e
wait -n "${pids[@]}"
status=$?
if [ -z "$stopping" ]; then
    echo "== an agent exited (status $status); stopping the other" >&2
    stop
    exit "$status"
fi
