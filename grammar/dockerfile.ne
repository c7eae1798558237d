# The Dockerfile grammar. Tokens are coarse (see src/parser/lexer.ts): a directive line, a run of
# blank/comment lines (trivia), one logical instruction line, one heredoc body. The grammar says
# how they group: directives only at the top, then instructions among trivia, each instruction
# followed by its heredoc bodies. Lists are persistent cons cells (never mutated), which is safe
# even when the Earley parser completes a rule more than once.
@preprocessor typescript

@{%
import { cons, instructionNode, withHeredoc } from "../grammar-actions";

// nearleyc refers to `lexer` for `%type` symbols; the real lexer is given to each Parser instance.
const lexer = { has: (_type: string): boolean => true };
%}

@lexer lexer

dockerfile -> directives body                     {% ([d, b]) => ({ directives: d, instructions: b }) %}

directives -> null                                {% () => null %}
            | directives %directive               {% ([l, t]) => cons(l, t) %}

body -> null                                      {% () => null %}
      | body %trivia                              {% ([l]) => l %}
      | body instruction                          {% ([l, i]) => cons(l, i) %}

instruction -> %instruction                       {% ([t]) => instructionNode(t) %}
             | instruction %heredoc               {% ([n, t]) => withHeredoc(n, t) %}
