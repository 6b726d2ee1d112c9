// @ts-check
// What the page's core and the marking part (marking.js, loaded apart on a book page) both
// use: each has its own copy, in its own scope.

/** A grader's or the class server's complaint, fit to show the student as it is. */
class GradingError extends Error {}

/** @param {unknown} value @returns {value is Record<string, any>} */
const isPlainObject = (value) =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** @param {number} max @returns {KeyedOutcome} */
const unansweredOutcome = (max) =>
  ({ points: 0, max, correct: false, answered: false, parts: {}, feedback: [] });
