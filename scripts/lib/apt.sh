# Sourced by scripts/setup and scripts/setup.d/*.sh: Debian packages, with sudo unless root.
#   apt_install_missing gcc libc6-dev            # those not installed yet; says when all are
#   apt_install -t bookworm-backports qemu-user  # install (or upgrade) now, with apt options

apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

apt_install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "present: $*"
  else
    apt_install "${missing[@]}"
  fi
}
