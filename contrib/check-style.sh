#!/bin/sh
# A small checksrc for quire's C: 80 columns (tabs count 8), no trailing
# white space, no // comments, no banned functions outside banned.h.
# Prints each problem as file:line: what; exits 1 if there is any.
status=0
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]')
for f in $files; do
	expand -t 8 "$f" | awk -v f="$f" '
		length($0) > 80 { printf "%s:%d: longer than 80 columns\n", f, NR; bad = 1 }
		/[ \t]+$/ { printf "%s:%d: trailing white space\n", f, NR; bad = 1 }
		/^[^"]*\/\// && !/:\/\// { printf "%s:%d: // comment\n", f, NR; bad = 1 }
		END { exit bad }' || status=1
	case "$f" in
	banned.h) continue ;;
	esac
	if grep -nE '\b(strcpy|strcat|strncpy|strncat|sprintf|vsprintf|strtok|gmtime|localtime|ctime|asctime|mktemp|atoi)\(' "$f" |
		grep -vE 'snprintf|_r\(' >/tmp/check-style.$$; then
		sed "s|^|$f:|; s|\$| (banned function)|" /tmp/check-style.$$
		status=1
	fi
	rm -f /tmp/check-style.$$
done
exit $status
