# Sourced by the launch scripts: points JAVA_HOME at an installed JDK 25 or newer.
# The machine's default `java` may be older, so look in the usual install places too.

courier_java_major() {
  # Prints the major version of the JDK at $1, or nothing.
  [ -x "$1/bin/java" ] || return 0
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
  else
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
  fi
}

courier_find_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  local dir
  for dir in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* "$HOME"/.sdkman/candidates/java/* \
             "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$dir" ] && candidates+=("$dir")
  done
  local c major
  for c in "${candidates[@]}"; do
    major=$(courier_java_major "$c")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

if ! COURIER_JDK=$(courier_find_jdk); then
  echo "Courier needs a JDK 25 or newer, and none was found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm, /opt, ~/.sdkman)." >&2
  echo "Install one, e.g. 'apt-get install temurin-25-jdk' (Adoptium repository) or 'sdk install java 25-tem', or set JAVA_HOME to it." >&2
  exit 1
fi
export JAVA_HOME="$COURIER_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
