#!/usr/bin/env bash
# Installs the Debian packages falconsim needs, if any are missing.
# Sourced by scripts/setup and scripts/test; safe to run again.
FALCONSIM_PACKAGES="cmake gcc make pkg-config libgsl-dev libconfig-dev libhdf5-dev hdf5-tools gnuplot-nox parallel iproute2 procps clang libclang-rt-14-dev python3-h5py rsync"

falconsim_install_deps() {
    local missing=()
    for p in $FALCONSIM_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "falconsim: installing missing packages: ${missing[*]}" >&2
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "falconsim: need root or sudo to install: ${missing[*]}" >&2; return 1; }
        sudo="sudo"
    fi
    $sudo apt-get update -qq || return 1
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" || return 1
}
