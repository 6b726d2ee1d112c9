"""The `cloze` question type: a passage with several blanks, each typed (a short answer with
accepted variants) or chosen from a drop-down; scored per blank, like matching.

Everything quizbook knows about the type outside the page is in this module (the page's
part is `runtime/types/cloze.js`, `runtime/markers/cloze.js` and
`sphinx/quiz_markup/types/cloze.html.j2`).

In a quiz file::

    - id: q15
      type: cloze
      passage: Water boils at {{temp}} at sea level, and ice melts into {{liquid}}.
      blanks:
        - id: temp                     # a drop-down: the right choice and the wrong ones
          answer: 100 °C
          distractors: [50 °C, 200 °C]
          feedback: At sea level water boils at 100 °C (¶ 1.1).
        - id: liquid                   # typed: accepted answers, compared as short answers
          accept: [water, liquid water]

Markers `{{id}}` name each blank once, in the order the blanks are listed (their numbers).
The response maps blank ids to text (typed) or choice ids (drop-downs: `c1`, `c2`, ... in
the shown order, which says nothing about the key). Score: points x right blanks / blanks.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from markupsafe import escape
from pydantic import Field, model_validator

from quizbook.answers import normalise_answer
from quizbook.markup import inline_html, plain_text
from quizbook.seal import digest
from quizbook.types import Finding, QuestionType, SealText, register
from quizbook.types.base import (
    OneLine,
    QuestionBase,
    RightWrongFeedback,
    SafeId,
    Strict,
    Text,
    unique,
)

if TYPE_CHECKING:
    from quizbook.export.lms import Mapping as LmsMapping
    from quizbook.grade import Outcome
    from quizbook.model import Quiz

#: A blank's marker in the passage: `{{id}}` (spaces inside the braces allowed).
MARKER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
#: Typed answers longer than this are refused by a class server (as short answers are).
MAX_TYPED = 500
Choice = Annotated[OneLine, Field(min_length=1, max_length=200)]


class Blank(Strict):
    id: SafeId
    #: Typed: the accepted answers (case, accents, punctuation and spacing are ignored).
    accept: list[Choice] | None = Field(default=None, min_length=1, max_length=20)
    #: Drop-down: the right choice and the wrong ones (shown shuffled).
    answer: Choice | None = None
    distractors: list[Choice] = Field(default_factory=list, max_length=7)
    #: Shown beside the blank when it is answered wrongly.
    feedback: Text | None = None

    @model_validator(mode="after")
    def _typed_or_chosen(self) -> Blank:
        if (self.accept is None) == (self.answer is None):
            raise ValueError(f"blank {self.id!r}: give either `accept` (a typed blank) or "
                             "`answer` with `distractors` (a drop-down)")
        if self.accept is not None:
            if self.distractors:
                raise ValueError(f"blank {self.id!r}: `distractors` belong to a drop-down "
                                 "(`answer`), not to a typed blank (`accept`)")
            for n, answer in enumerate(self.accept):
                if not normalise_answer(answer):
                    raise ValueError(f"blank {self.id!r}: accept[{n}] {answer!r} is nothing "
                                     "once normalised (case, accents, punctuation and spaces "
                                     "are ignored): no answer could match it")
        elif not self.distractors:
            raise ValueError(f"blank {self.id!r}: a drop-down needs at least one distractor")
        else:
            unique([self.answer or "", *list(self.distractors)], f"choice in blank {self.id!r}:")
        return self

    @property
    def typed(self) -> bool:
        return self.accept is not None


class ClozeQuestion(QuestionBase):
    type: Literal["cloze"]
    passage: Text
    blanks: list[Blank] = Field(min_length=2, max_length=12)
    feedback: RightWrongFeedback = RightWrongFeedback()

    @model_validator(mode="after")
    def _markers_match_blanks(self) -> ClozeQuestion:
        unique([b.id for b in self.blanks], "blank id")
        marked = MARKER.findall(self.passage)
        listed = [b.id for b in self.blanks]
        if marked != listed:
            raise ValueError(f"the passage marks blanks {_list(marked)}, but `blanks` lists "
                             f"{_list(listed)}: mark each blank once as {{{{id}}}}, in the "
                             "order they are listed")
        if "{{" in MARKER.sub("", self.passage) or "}}" in MARKER.sub("", self.passage):
            raise ValueError("the passage has an unmatched `{{` or `}}`: a blank is marked "
                             "{{id}}")
        return self

    def pieces(self) -> list[str]:
        """The passage's text around the blanks (Markdown): one more piece than blanks."""
        return MARKER.split(self.passage)[::2]


def _list(ids: list[str]) -> str:
    return ", ".join(ids) if ids else "none"


def _markdown_literal(value: str) -> str:
    """A typed answer shown as Markdown exactly as it is (no emphasis, links or HTML)."""
    return "".join(f"\\{ch}" if ch in string.punctuation else ch for ch in value)


def _piece_html(piece: str) -> str:
    """Safe HTML of the text between two blanks, keeping a space next to each blank."""
    if not piece.strip():
        return " " if piece else ""
    return ((" " if piece[0].isspace() else "") + inline_html(piece)
            + (" " if piece[-1].isspace() else ""))


def letter(index: int) -> str:
    """The handout's letter of a drop-down choice (A, B, ..., as the print view lists them)."""
    return string.ascii_uppercase[index]


class Cloze(QuestionType):
    name = "cloze"
    typed_answers = True
    feedback_per_part = True
    canvas_type = "fill_in_multiple_blanks_question"
    moodle_type = "cloze"

    # --- grading ----------------------------------------------------------------------
    def choices(self, q: ClozeQuestion, blank: Blank) -> list[tuple[str, str, bool]]:
        """A drop-down's choices as (opaque id c1.., text, right) in the shown order: it
        depends only on the question's and blanks' ids and how many choices each has, so
        rewording a choice keeps the ids that saved answers name."""
        from quizbook.grade import layout_seed, shuffled

        identities = ["answer"] + [f"distractor:{n}" for n in range(len(blank.distractors))]
        texts = dict(zip(identities, [blank.answer or "", *list(blank.distractors)],
                         strict=True))
        order = shuffled(identities, f"{layout_seed(q)}|{blank.id}")
        return [(f"c{n}", texts[i], i == "answer") for n, i in enumerate(order, 1)]

    def right_choice(self, q: ClozeQuestion, blank: Blank) -> str:
        return next(cid for cid, _, right in self.choices(q, blank) if right)

    def grade(self, q: ClozeQuestion, response: Any) -> Outcome:
        from quizbook.grade import Outcome, share_score, unanswered

        if not isinstance(response, Mapping):
            return unanswered(q.points)
        given = {b.id: response[b.id] for b in q.blanks
                 if isinstance(response.get(b.id), str) and response[b.id].strip()}
        if not given:
            return unanswered(q.points)
        parts: dict[str, bool] = {}
        for blank in q.blanks:
            value = given.get(blank.id)
            if value is None:
                parts[blank.id] = False
            elif blank.accept is not None:
                parts[blank.id] = normalise_answer(value) in {normalise_answer(a)
                                                              for a in blank.accept}
            else:
                parts[blank.id] = value == self.right_choice(q, blank)
        right = sum(parts.values())
        everything = right == len(q.blanks)
        wrong = [b.id for b in q.blanks if b.id in given and not parts[b.id]]
        return Outcome(share_score(q.points, right, len(q.blanks)), q.points, everything, parts,
                       ["correct"] if everything else ["incorrect", *wrong])

    def grading_content(self, q: ClozeQuestion) -> dict[str, Any]:
        return {"blanks": [[b.id, "typed", sorted({normalise_answer(a) for a in b.accept})]
                           if b.accept is not None else [b.id, "chosen", len(b.distractors)]
                           for b in q.blanks]}

    def layout_parts(self, q: ClozeQuestion) -> list[str]:
        return [f"{b.id}:{len(b.distractors)}" for b in q.blanks]

    def feedback_text(self, q: ClozeQuestion, key: str) -> str | None:
        blank = next((b for b in q.blanks if b.id == key), None)
        if blank is not None:
            return blank.feedback
        return super().feedback_text(q, key)

    # --- the student bundle -----------------------------------------------------------
    def bundle_fields(self, q: ClozeQuestion, salt: str, seal_text: SealText) -> dict[str, Any]:
        blanks = []
        for n, blank in enumerate(q.blanks, 1):
            entry: dict[str, Any] = {"id": blank.id, "label": f"Blank {n}"}
            if blank.accept is not None:
                entry["accept"] = sorted({digest(salt, q.id, f"ans:{blank.id}:"
                                                 + normalise_answer(a)) for a in blank.accept})
            else:
                entry["choices"] = [{"id": cid, "text": inline_html(text)}
                                    for cid, text, _ in self.choices(q, blank)]
                entry["check"] = digest(salt, q.id,
                                        f"blank:{blank.id}:{self.right_choice(q, blank)}")
            blanks.append(entry)
            seal_text(f"fb:{blank.id}", blank.feedback)
        seal_text("fb:correct", q.feedback.correct)
        seal_text("fb:incorrect", q.feedback.incorrect)
        return {"passage": [_piece_html(piece) for piece in q.pieces()], "blanks": blanks}

    def keyfree_fields(self, bq: dict[str, Any]) -> dict[str, Any]:
        return {"passage": list(bq["passage"]),
                "blanks": [{"id": b["id"], "label": b["label"]}
                           | ({"choices": [{"id": c["id"], "text": c["text"]}
                                           for c in b["choices"]]} if "choices" in b else {})
                           for b in bq["blanks"]]}

    def check_response(self, q: ClozeQuestion, value: Any) -> str | None:
        if isinstance(value, dict):
            blanks = {b.id: b for b in q.blanks}
            for key, given in value.items():
                blank = blanks.get(key)
                if blank is None or not isinstance(given, str):
                    break
                if blank.accept is not None and len(given) > MAX_TYPED:
                    break
                if blank.accept is None and given and given not in {
                        cid for cid, _, _ in self.choices(q, blank)}:
                    break
            else:
                return None
        return (f"a cloze answer maps blank ids ({', '.join(b.id for b in q.blanks)}) to typed "
                f"text of at most {MAX_TYPED} characters or a drop-down's choice id")

    # --- keys, print, exports ---------------------------------------------------------
    def key_parts(self, q: ClozeQuestion) -> list[tuple[str, str]]:
        out = []
        for n, blank in enumerate(q.blanks, 1):
            if blank.accept is not None:
                out.append((f"({n})", " / ".join(_markdown_literal(a) for a in blank.accept)))
            else:
                index = [right for _, _, right in self.choices(q, blank)].index(True)
                out.append((f"({n})", f"{letter(index)}. {blank.answer}"))
        return out

    def wrong_feedback(self, q: ClozeQuestion) -> list[tuple[str, str]]:
        return [(f"Blank {n}", b.feedback) for n, b in enumerate(q.blanks, 1) if b.feedback] \
            + super().wrong_feedback(q)

    def student_lines(self, q: ClozeQuestion, bq: dict[str, Any]) -> list[str]:
        pieces = q.pieces()
        passage = pieces[0] + "".join(f"({n}) \\_\\_\\_\\_\\_\\_{piece}"
                                      for n, piece in enumerate(pieces[1:], 1))
        lines = [passage]
        for n, blank in enumerate(q.blanks, 1):
            if blank.accept is None:
                shown = "; ".join(f"{letter(i)}. {text}"
                                  for i, (_, text, _) in enumerate(self.choices(q, blank)))
                lines.append(f"({n}) Choose one: {shown}")
        return lines

    def wrong_choices(self, q: ClozeQuestion, response: Any, outcome: Outcome) -> list[str]:
        if not isinstance(response, dict):
            return []
        out = []
        for n, blank in enumerate(q.blanks, 1):
            value = response.get(blank.id)
            if outcome.parts.get(blank.id) is not False or not isinstance(value, str) \
                    or not value.strip():
                continue
            if blank.accept is None:
                texts = {cid: text for cid, text, _ in self.choices(q, blank)}
                value = plain_text(texts.get(value, "?"))
            out.append(f"({n}) {' '.join(value.split())[:80]}")
        return out

    def parts(self, q: ClozeQuestion) -> list[tuple[str, str]]:
        return [(b.id, f"Blank {n}: {plain_text(b.answer) if b.answer else (b.accept or [''])[0]}")
                for n, b in enumerate(q.blanks, 1)]

    def write_qti(self, item: Any, presentation: Any, q: ClozeQuestion, quiz: Quiz,
                  mappings: list[LmsMapping]) -> None:
        # Canvas's "fill in multiple blanks": [name] in the text, one response_lid per blank
        # whose labels are its accepted answers. A drop-down blank becomes a typed one
        # accepting its right choice (a Canvas item holds one kind of blank).
        from quizbook.export.lms import Mapping as LmsMapping
        from quizbook.export.lms import fmt_number, html
        from quizbook.export.qti import _material, _sub

        names = {b.id: f"blank{n}" for n, b in enumerate(q.blanks, 1)}
        pieces = q.pieces()
        passage = _piece_html(pieces[0]) + "".join(
            f"[{names[b.id]}]" + _piece_html(piece)
            for b, piece in zip(q.blanks, pieces[1:], strict=True))
        prompt = presentation.find("{*}material/{*}mattext")
        prompt.text = f"{prompt.text}<p>{passage}</p>"
        share = fmt_number(100 / len(q.blanks))
        for blank in q.blanks:
            name = names[blank.id]
            lid = _sub(presentation, "response_lid", ident=f"response_{name}")
            _material(lid, name, texttype="text/plain")
            render = _sub(lid, "render_choice")
            accepted = blank.accept if blank.accept is not None else [blank.answer or ""]
            idents = [f"{name}-{n}" for n in range(1, len(accepted) + 1)]
            for ident, answer in zip(idents, accepted, strict=True):
                _material(_sub(render, "response_label", ident=ident), answer,
                          texttype="text/plain")
            for ident in idents:  # one plain condition per accepted answer
                cond, var = item.condition(continue_=True)
                _sub(var, "varequal", ident, respident=f"response_{name}")
                _sub(cond, "setvar", share, action="Add", varname="SCORE")
            if blank.feedback:
                cond, var = item.condition(continue_=True)
                anyone = _sub(_sub(var, "not"), "or")
                for ident in idents:
                    _sub(anyone, "varequal", ident, respident=f"response_{name}")
                item.show(cond, f"{name}_fb", html(blank.feedback))
        if q.feedback.incorrect:
            cond, var = item.condition(continue_=True)
            _sub(var, "other")
            item.show(cond, "general_incorrect_fb", html(q.feedback.incorrect))
        chosen = [n for n, b in enumerate(q.blanks, 1) if b.accept is None]
        notes = ["Canvas compares typed answers exactly (the book ignores case, accents and "
                 "punctuation)"]
        if chosen:
            notes.append(f"drop-down blanks {', '.join(map(str, chosen))} are typed in Canvas "
                         "(its right choice is the accepted answer)")
        mappings.append(LmsMapping("qti", quiz.id, q.id, "cloze", self.canvas_type,
                                   "; ".join(notes)))

    def write_moodle(self, element: Any, q: ClozeQuestion, quiz: Quiz,
                     mappings: list[LmsMapping]) -> None:
        # Moodle's Cloze (multianswer): each blank is written into the question text as
        # {1:SHORTANSWER:=a#feedback~=b} or {1:MULTICHOICE:=right~wrong}, weight 1 each.
        from quizbook.export.lms import Mapping as LmsMapping

        def literal(value: str) -> str:
            # Inside {...} these characters are syntax; `*` is a short answer's wildcard.
            return re.sub(r"([}#~/\"\\*])", r"\\\1", str(escape(plain_text(value))))

        def feedback(blank: Blank) -> str:
            return f"#{literal(blank.feedback)}" if blank.feedback else ""

        embedded = []
        for blank in q.blanks:
            if blank.accept is not None:
                answers = "~".join(f"={literal(a)}" for a in blank.accept)
                embedded.append(f"{{1:SHORTANSWER:{answers}}}")
            else:
                wrong = "".join(f"~{literal(d)}{feedback(blank)}" for d in blank.distractors)
                embedded.append(f"{{1:MULTICHOICE:={literal(blank.answer or '')}{wrong}}}")
        pieces = q.pieces()
        passage = _piece_html(pieces[0]) + "".join(
            code + _piece_html(piece) for code, piece in zip(embedded, pieces[1:], strict=True))
        text = element.find("questiontext/text")
        text.text = f"{text.text}<p>{passage}</p>"
        mappings.append(LmsMapping(
            "moodle", quiz.id, q.id, "cloze", "cloze",
            f"Moodle marks each of the {len(q.blanks)} blanks out of 1 (the book shares the "
            "points equally, the same proportions); the drop-downs keep their order only if "
            "the quiz does not shuffle them; a typed blank compares case-insensitively but "
            "not without accents or punctuation"))

    def validate_moodle(self, element: Any) -> list[str]:
        text = element.findtext("questiontext/text") or ""
        found = re.findall(r"\{\d+:(SHORTANSWER|SA|MULTICHOICE|MC):", text)
        return [] if found else ["a cloze question text embeds no {n:SHORTANSWER:...} or "
                                 "{n:MULTICHOICE:...} blank"]

    # --- lint -------------------------------------------------------------------------
    def lint(self, q: ClozeQuestion, n: int) -> Iterator[Finding]:
        for m, blank in enumerate(q.blanks):
            if blank.feedback is None:
                yield (["questions", n, "blanks", m], f"questions[{n}].blanks[{m}]",
                       f"blank {blank.id!r} has no feedback: say what the passage needs there")
            if blank.accept is None and not 2 <= len(blank.distractors) <= 4:
                yield (["questions", n, "blanks", m, "distractors"],
                       f"questions[{n}].blanks[{m}].distractors",
                       f"{len(blank.distractors)} distractor(s): a drop-down works best with "
                       "three to five plausible choices")
        if not q.pieces()[0].strip():
            yield (["questions", n, "passage"], f"questions[{n}].passage",
                   "the passage opens with a blank: give the reader some context first")

    def shown_texts(self, q: ClozeQuestion) -> list[str]:
        texts = [" ".join(q.pieces()), q.feedback.correct or "", q.feedback.incorrect or ""]
        for blank in q.blanks:
            texts += [blank.answer or "", *blank.distractors, blank.feedback or ""]
        return texts

    def answers(self, q: ClozeQuestion) -> list[tuple[str, list[str]]]:
        out: list[tuple[str, list[str]]] = []
        for blank in q.blanks:
            if blank.accept is not None:
                out += [(a, []) for a in blank.accept]
            else:
                out.append((blank.answer or "", list(blank.distractors)))
        return out


register(ClozeQuestion, Cloze())
