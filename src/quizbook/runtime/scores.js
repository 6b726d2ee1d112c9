// @ts-check
// What saved answers are worth: the checked answers of a record, their points once graded
// again (never the record's own points), and pass or not. In the core and the downloads part.

/**
 * The points of the checked questions of a record, graded again: the only score shown
 * anywhere (never the record's own points).
 * @param {ProgressRecord} record @param {Record<string, Graded>} graded
 */
const gradedPoints = (record, graded) => Object.keys(record.outcomes)
  .reduce((sum, id) => sum + (graded[id] ? graded[id].outcome.points : 0), 0);

/**
 * The answers of the checked questions of a record, to be graded again.
 * @param {ProgressRecord} record @returns {Record<string, StudentResponse>}
 */
function checkedResponses(record) {
  /** @type {Record<string, StudentResponse>} */
  const responses = {};
  for (const id of Object.keys(record.outcomes)) {
    responses[id] = record.responses[id] === undefined ? null : record.responses[id];
  }
  return responses;
}

/**
 * Pass or not, by the quiz's `pass_mark` (the gradebook's and the class server's rule).
 * @param {number} points @param {number} maxPoints @param {number} passMark
 */
const hasPassed = (points, maxPoints, passMark) => maxPoints > 0 && points / maxPoints >= passMark - 1e-9;
