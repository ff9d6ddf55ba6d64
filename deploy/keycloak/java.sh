# Sourced by start.sh and build.sh: the Java that Keycloak 26 runs on (17 or 21), in $java.
# KC_JAVA_HOME, else JAVA_HOME, else the `java` on the PATH (Debian's Java 17 here).
java_home=${KC_JAVA_HOME:-${JAVA_HOME:-}}
java=${java_home:+$java_home/bin/}java
java_version=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
case "$java_version" in
  17|21) ;;
  *) echo "keycloak: needs Java 17 or 21, found '${java_version:-none}' ($java); set KC_JAVA_HOME" >&2; exit 1 ;;
esac
export JAVA=$java  # kc.sh runs $JAVA
