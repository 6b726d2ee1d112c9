// @ts-check
// numeric: one text box; right when the number typed is inside the (sealed) range. Text that
// is not a number (answers.js parseNumber) is not graded: the student is asked for just the
// number (quizbook.grade.NOT_A_NUMBER).
// This file reads and writes its controls; markers/numeric.js marks it (marking.js).

registerQuestionType("numeric", {
  read(fieldset) {
    const [box] = inputsIn(fieldset, "input[type=text]");
    return box ? box.value : "";
  },

  write(fieldset, response) {
    for (const box of inputsIn(fieldset, "input[type=text]")) box.value = typeof response === "string" ? response : "";
  },
});
