// @ts-check
// short_text: one text box; right when the normalised answer's digest is an accepted one,
// or when it matches the (sealed) pattern.
// This file reads and writes its controls; markers/short_text.js marks it (marking.js).

registerQuestionType("short_text", {
  read(fieldset) {
    const [box] = inputsIn(fieldset, "input[type=text]");
    return box ? box.value : "";
  },

  write(fieldset, response) {
    for (const box of inputsIn(fieldset, "input[type=text]")) box.value = typeof response === "string" ? response : "";
  },
});
