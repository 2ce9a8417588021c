# bash completion for berth. Installed as
# PREFIX/share/bash-completion/completions/berth, where bash-completion
# (Debian's package of it) finds it when PREFIX is ~/.local, /usr/local or
# /usr; otherwise source it from ~/.bashrc.
#
# Completes commands and options, directories after --registry, app names
# (from `berth list`) after run, get and release, held ports after who and
# release --port, and the server's command after `berth run APP --`.

_berth_list() {  # _berth_list FIELD: the registry's values of FIELD
  local registry=()
  [ -n "$1" ] && registry=(--registry "$1")
  berth list --json "${registry[@]}" 2>/dev/null |
    grep -o "\"$2\": \"\?[^\",}]*" | sed 's/.*: "\?//' | sort -u
}

_berth() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion -n = || return
  else
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi
  COMPREPLY=()

  local cmd="" registry="" positional=0 i
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      --)
        if [ "$cmd" = run ]; then
          if declare -F _command_offset >/dev/null; then
            _command_offset $((i + 1))
          else
            COMPREPLY=($(compgen -c -- "$cur"))
          fi
          return
        fi
        ;;
      --registry)
        registry=${words[i + 1]}
        ((i++))
        ;;
      --port | --range | --owner | --host) ((i++)) ;;
      -*) ;;
      *)
        if [ -z "$cmd" ]; then cmd=${words[i]}; else ((positional++)); fi
        ;;
    esac
  done

  case $prev in
    --registry)
      COMPREPLY=($(compgen -d -- "$cur"))
      return
      ;;
    --port)
      [ "$cmd" = release ] && COMPREPLY=($(compgen -W "$(_berth_list "$registry" port)" -- "$cur"))
      return
      ;;
    --range | --owner | --host) return ;;
  esac

  if [ -z "$cmd" ]; then
    COMPREPLY=($(compgen -W "run get release list who prune inspect --registry --help" -- "$cur"))
    return
  fi
  local opts
  case $cmd in
    run) opts="--port --range --socket --host --registry --help --" ;;
    get) opts="--port --range --owner --json --registry --help" ;;
    release) opts="--port --registry --help" ;;
    list | inspect | who) opts="--json --registry --help" ;;
    prune) opts="--registry --help" ;;
    *) return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  case $cmd in
    run | get | release)
      [ "$positional" -eq 0 ] && COMPREPLY=($(compgen -W "$(_berth_list "$registry" app)" -- "$cur"))
      ;;
    who)
      [ "$positional" -eq 0 ] && COMPREPLY=($(compgen -W "$(_berth_list "$registry" port)" -- "$cur"))
      ;;
  esac
}

complete -F _berth berth
