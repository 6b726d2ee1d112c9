// @ts-check
// ordering: one select per item (positions 1..n); the response maps item ids to positions.
// Score: the share of items in their right position; a position given twice counts for neither.
// This file marks it from the bundle; types/ordering.js reads and writes its controls.

registerMarker("ordering", {
  grade(question, response) {
    return gradeShares(question, question.items || [], response,
      (value) => Number.isInteger(value), "pos:", true);
  },
});
