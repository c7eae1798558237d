/**
 * Debian's busybox-static is built without adduser and addgroup, which upstream's tests call
 * (`adduser -D user`). These shell stand-ins do what busybox's applets do for the options the
 * tests use: next free uid from 1000 (100 with -S), a same-named group unless -G, a home
 * directory owned by the user unless -H; `adduser USER GROUP` / `addgroup USER GROUP` add a
 * member. Both builders run the same script, so it cannot make them differ.
 */
export const ADDUSER = `#!/bin/sh
# adduser [-D] [-S] [-H] [-h HOME] [-g GECOS] [-s SHELL] [-G GROUP] [-u UID] USER [GROUP]
home= gecos= shell=/bin/sh group= uid= nohome= start=1000
while [ $# -gt 0 ]; do
  case "$1" in
    -D) ;;
    -S) start=100; shell=/sbin/nologin ;;
    -H) nohome=1 ;;
    -h) home=$2; shift ;;
    -g) gecos=$2; shift ;;
    -s) shell=$2; shift ;;
    -G) group=$2; shift ;;
    -u) uid=$2; shift ;;
    -*) echo "adduser: unknown option $1" >&2; exit 1 ;;
    *) break ;;
  esac
  shift
done
name=$1
[ -n "$name" ] || { echo "usage: adduser [-D] [-u UID] [-G GROUP] USER [GROUP]" >&2; exit 1; }
if [ -n "$2" ]; then exec addgroup "$name" "$2"; fi
if grep -q "^$name:" /etc/passwd; then echo "adduser: user '$name' in use" >&2; exit 1; fi
if [ -z "$uid" ]; then
  uid=$start
  while cut -d: -f3 /etc/passwd | grep -qx "$uid"; do uid=$((uid + 1)); done
fi
if [ -n "$group" ]; then
  gid=$(grep "^$group:" /etc/group | cut -d: -f3)
  [ -n "$gid" ] || { echo "adduser: unknown group $group" >&2; exit 1; }
else
  gid=$uid
  while cut -d: -f3 /etc/group | grep -qx "$gid"; do gid=$((gid + 1)); done
  echo "$name:x:$gid:" >> /etc/group
fi
home=\${home:-/home/$name}
echo "$name:x:$uid:$gid:\${gecos:-Linux User,,,}:$home:$shell" >> /etc/passwd
[ -f /etc/shadow ] && echo "$name:!:19000:0:99999:7:::" >> /etc/shadow
if [ -z "$nohome" ]; then mkdir -p "$home" && chown "$uid:$gid" "$home"; fi
exit 0
`;

export const ADDGROUP = `#!/bin/sh
# addgroup [-g GID] [-S] GROUP | addgroup USER GROUP
gid= start=1000
while [ $# -gt 0 ]; do
  case "$1" in
    -g) gid=$2; shift ;;
    -S) start=100 ;;
    -*) echo "addgroup: unknown option $1" >&2; exit 1 ;;
    *) break ;;
  esac
  shift
done
[ -n "$1" ] || { echo "usage: addgroup [-g GID] GROUP | addgroup USER GROUP" >&2; exit 1; }
if [ -n "$2" ]; then
  grep -q "^$2:" /etc/group || { echo "addgroup: unknown group $2" >&2; exit 1; }
  sed -i -e "/^$2:/{s/:$/:$1/;t" -e "s/$/,$1/}" /etc/group
  exit 0
fi
if grep -q "^$1:" /etc/group; then echo "addgroup: group '$1' in use" >&2; exit 1; fi
if [ -z "$gid" ]; then
  gid=$start
  while cut -d: -f3 /etc/group | grep -qx "$gid"; do gid=$((gid + 1)); done
fi
echo "$1:x:$gid:" >> /etc/group
exit 0
`;
