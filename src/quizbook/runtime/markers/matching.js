// @ts-check
// matching: one select per left-hand item, offering the right-hand texts (bundle ids r1..);
// the response maps left ids to right ids. Score: the share of lefts matched rightly.
// This file marks it from the bundle; types/matching.js reads and writes its controls.

registerMarker("matching", {
  grade(question, response) {
    return gradeShares(question, question.lefts || [], response,
      (value) => typeof value === "string" && value !== "", "pair:", false);
  },
});
