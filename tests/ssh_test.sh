#!/usr/bin/env bash
# scripts/sweep over SSH against a real sshd: a temporary sshd on a high
# port of 127.0.0.1 with temporary host and user keys (openssh-server from
# Debian, installed if missing), GNU parallel's --sshlogin to it; the same
# campaign run locally and over SSH (binary and scenario sent, results
# returned; and on a shared path) gives byte-identical result files; an
# unreachable host is refused before any run. Stops everything it started.
# Not in CI (label ssh; docs/campaigns.md). Exit 77: cannot start (skipped).
# Usage: ssh_test.sh FALCONSIM SOURCE_DIR
set -u
# shellcheck source=campaign_lib.sh
source "$(dirname "$0")/campaign_lib.sh"
need_root_and "an sshd" /usr/sbin/sshd openssh-server
command -v parallel >/dev/null || skip "GNU parallel is missing"
work=$(mktemp -d)
sshd_pid=""
cleanup() {
    [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null && wait "$sshd_pid" 2>/dev/null
    rm -rf "$work" "/root/falconsim-campaign-"*
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$((20000 + RANDOM % 20000))
ssh-keygen -q -t ed25519 -N '' -f "$work/host_key" || skip "ssh-keygen failed"
ssh-keygen -q -t ed25519 -N '' -f "$work/user_key" || skip "ssh-keygen failed"
cp "$work/user_key.pub" "$work/authorized_keys"
cat >"$work/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $work/host_key
PidFile $work/sshd.pid
AuthorizedKeysFile $work/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
EOF
mkdir -p /run/sshd
timeout 600 /usr/sbin/sshd -D -f "$work/sshd_config" -E "$work/sshd.log" &
sshd_pid=$!
ssh_cmd="ssh -p $port -i $work/user_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
up=0
for _ in $(seq 50); do
    # shellcheck disable=SC2086
    $ssh_cmd -o BatchMode=yes root@127.0.0.1 true </dev/null 2>/dev/null && { up=1; break; }
    sleep 0.2
done
[ "$up" -eq 1 ] || skip "the temporary sshd does not answer: $(tail -2 "$work/sshd.log")"

axes=("${campaign_axes[@]}")

"$sweep" "$small" "${axes[@]}" --out "$work/local" -j 2 2>/dev/null && ok || fail "local sweep"
# binary and scenario sent to the host, results returned
"$sweep" "$small" "${axes[@]}" --out "$work/ssh" -j 2 --sshlogin root@127.0.0.1 \
    --ssh-command "$ssh_cmd" 2>"$work/err" && ok || fail "ssh sweep: $(tail -3 "$work/err")"
same_results "$work/local" "$work/ssh" && ok || fail "ssh results differ from local ones"
"$bin" summarize "$work/local" >"$work/a.tsv" && "$bin" summarize "$work/ssh" >"$work/b.tsv" &&
    cmp -s "$work/a.tsv" "$work/b.tsv" && ok || fail "summaries differ"
# the campaign directory on a path the host shares (here: the same machine)
"$sweep" "$small" "${axes[@]}" --out "$work/shared" -j 2 --sshlogin 2/root@127.0.0.1 \
    --ssh-command "$ssh_cmd" --shared 2>"$work/err" && ok || fail "shared ssh sweep: $(tail -3 "$work/err")"
same_results "$work/local" "$work/shared" && ok || fail "shared-path results differ"
# resume over SSH: only the missing run is redone
rm "$work/ssh/workload.flows=2_policy.name=vanilla_r1.h5"
"$sweep" --resume "$work/ssh" --sshlogin root@127.0.0.1 --ssh-command "$ssh_cmd" 2>"$work/err" && ok ||
    fail "ssh resume"
grep -q "7 already done, 1 to run" "$work/err" && ok || fail "ssh resume: $(cat "$work/err")"
same_results "$work/local" "$work/ssh" && ok || fail "resumed results differ"
# an unreachable host: refused before any run
free_port=$((port + 1))
"$sweep" "$small" "${axes[@]}" --out "$work/down" --sshlogin root@127.0.0.1 \
    --ssh-command "ssh -p $free_port -o StrictHostKeyChecking=no" 2>"$work/err"
[ $? -eq 69 ] && ok || fail "unreachable host: want exit 69"
grep -q "SSH host 'root@127.0.0.1' is unreachable" "$work/err" && ok || fail "unreachable message: $(cat "$work/err")"
ls "$work/down"/*.h5 >/dev/null 2>&1 && fail "runs started with an unreachable host" || ok
[ -z "$(ls -d /root/falconsim-campaign-* 2>/dev/null)" ] && ok || fail "work directories left on the host"

echo "ssh_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
