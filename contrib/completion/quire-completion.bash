# bash completion for quire.
#
# Source this file from ~/.bashrc, or let 'make install' put it where
# bash-completion finds it ($prefix/share/bash-completion/completions/).
# It completes command names, each command's long options (it asks the
# quire binary: 'quire --list-cmds', 'quire <command> --list-options'),
# subcommands of remote, cache and config, remote names, config keys,
# package names ('quire list') and the workspace's tags ('quire tag').

# The quire to ask; the words' -C <dir> is passed on.
__quire ()
{
	if [ -n "$__quire_C" ]; then
		command quire -C "$__quire_C" "$@" 2>/dev/null
	else
		command quire "$@" 2>/dev/null
	fi
}

__quire_commands ()
{
	if [ -z "$__quire_cmds" ]; then
		__quire_cmds=$(command quire --list-cmds 2>/dev/null)
	fi
	printf '%s\n' "$__quire_cmds"
}

# A command's long options, asked once per shell and command (eval, not
# ${!var}, so that zsh runs it too).
__quire_options ()
{
	local var="__quire_opts_${1//-/_}" val

	eval "val=\${$var-}"
	if [ -z "$val" ]; then
		val=$(command quire "$1" --list-options 2>/dev/null)
		eval "$var=\$val"
	fi
	printf '%s\n' "$val"
}

__quire_remotes ()
{
	__quire remote
}

# Package names of the registry the words name with -r, else the
# default one; "ns/name:" followed by the workspace's tags.
__quire_packages ()
{
	if [ -n "$__quire_r" ]; then
		__quire list -r "$__quire_r" | cut -f1
	else
		__quire list | cut -f1
	fi
}

__quire_tags ()
{
	__quire tag | cut -f1
}

__quire_config_keys ()
{
	local r

	# the keys of config.c's table (t9900 checks the list)
	printf '%s\n' core.formatversion core.locktimeout install.link \
		package.name
	for r in $(__quire_remotes); do
		printf 'remote.%s.url\n' "$r"
	done
}

# COMPREPLY: the words of the list $1 (a word a line) that start with
# the current word $2 (a loop, not compgen, which zsh emulates only in
# part).
__quire_reply ()
{
	local w IFS=$'\n'

	COMPREPLY=()
	for w in $1; do
		case "$w" in
		"$2"*) COMPREPLY+=("$w") ;;
		esac
	done
}

__quire_complete_option ()
{
	local opts

	opts=$(__quire_options "$1")
	__quire_reply "$(printf '%s\n' $opts)" "$2"
	case "${COMPREPLY[*]}" in
	*=) compopt -o nospace 2>/dev/null || : ;;
	esac
}

__quire_subcommand ()
{
	local cmd=$1 cur=$2 nth=$3 sub=$4

	case "$cmd" in
	remote)
		if [ "$nth" = 1 ]; then
			__quire_reply "$(printf '%s\n' add remove rm set-url \
				rename list)" "$cur"
		elif [ "$nth" = 2 ]; then
			case "$sub" in
			remove|rm|set-url|rename)
				__quire_reply "$(__quire_remotes)" "$cur" ;;
			esac
		fi
		;;
	cache)
		[ "$nth" = 1 ] && __quire_reply "$(printf '%s\n' ls clear)" \
			"$cur"
		;;
	config)
		[ "$nth" = 1 ] && __quire_reply "$(__quire_config_keys)" "$cur"
		if [ "$nth" = 2 ] && [ "$sub" = install.link ]; then
			__quire_reply "$(printf '%s\n' copy hardlink reflink)" \
				"$cur"
		fi
		;;
	help)
		[ "$nth" = 1 ] && __quire_reply "$(__quire_commands)" "$cur"
		;;
	tag|checkout|rev-parse|diff)
		__quire_reply "$(__quire_tags)" "$cur"
		;;
	install|copy|ls|cat|readme|log|show|meta|merge|lineage|rollback|\
	filter|diff-manifest|fetch-manifest)
		case "$cur" in
		*/*:*)
			__quire_reply "$(__quire_tags | sed "s|^|${cur%%:*}:|")" \
				"$cur" ;;
		*)
			__quire_reply "$(__quire_packages)" "$cur" ;;
		esac
		;;
	esac
}

_quire ()
{
	local cur prev cmd= sub= i=1 nth=0 w

	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	__quire_C= __quire_r=
	COMPREPLY=()
	# the command, the -C folder, -r registry and the operands before cur
	while [ "$i" -lt "$COMP_CWORD" ]; do
		w=${COMP_WORDS[i]}
		case "$w" in
		-C) [ -z "$cmd" ] && __quire_C=${COMP_WORDS[i+1]}
		    i=$((i + 2)); continue ;;
		-r|--registry) __quire_r=${COMP_WORDS[i+1]}
		    i=$((i + 2)); continue ;;
		--registry=*) __quire_r=${w#--registry=} ;;
		-*) ;;
		*)
			if [ -z "$cmd" ]; then
				cmd=$w
			else
				nth=$((nth + 1))
				[ "$nth" = 1 ] && sub=$w
			fi
			;;
		esac
		i=$((i + 1))
	done
	nth=$((nth + 1))
	if [ -z "$cmd" ]; then
		case "$cur" in
		-*) __quire_reply "$(printf '%s\n' -C -v --verbose --version \
			--help)" "$cur" ;;
		*) __quire_reply "$(__quire_commands)" "$cur" ;;
		esac
		return 0
	fi
	case "$prev" in
	-r|--registry)
		__quire_reply "$(__quire_remotes)" "$cur"
		return 0 ;;
	esac
	case "$cur" in
	--*=*) return 0 ;;
	-*) __quire_complete_option "$cmd" "$cur"; return 0 ;;
	esac
	__quire_subcommand "$cmd" "$cur" "$nth" "$sub"
	return 0
}

complete -o bashdefault -o default -F _quire quire
