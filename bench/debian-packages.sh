# Sourced by the bench scripts: debian_install PACKAGE... installs Debian packages, refreshing the package lists first
# when a fresh machine has none (a plain apt-get install then finds no package at all).
debian_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
}
