// @ts-check
// The notebook host: an anywidget (https://anywidget.dev) that shows the quiz markup rendered
// at build time and mounts the same quiz on it. Its progress record and the student (name and
// id) live in the kernel (model traits `record`, `student` and `student_id`), which keeps them
// in a file beside the notebook (quizbook_widget.py); the kernel answers with `notice` texts.
// A notebook folder is one student's: there is no "Switch student" here.
// The module made from this file ends with `export default { render: renderQuizWidget }`.

/**
 * A store that keeps the record in the widget's model; the kernel writes it to disk.
 * @param {AnyModel} model @returns {QuizStore}
 */
function widgetQuizStore(model) {
  /** @param {string} name @param {string} value */
  const put = (name, value) => { model.set(name, value); model.save_changes(); };
  return {
    load: () => String(model.get("record") || "") || null,
    save: (_quizId, text) => { put("record", text); return true; },
    setAside: (_quizId, text) => {
      put("record", "");
      model.send({ kind: "set-aside", text });
      return true;
    },
    student: () => ({ name: String(model.get("student") || ""), id: String(model.get("student_id") || "") }),
    saveStudent: (student) => {
      model.set("student_id", student.id);
      put("student", student.name);
      return true;
    },
  };
}

/**
 * @param {{model: AnyModel, el: HTMLElement}} view
 * @returns {() => void} undo what render did (anywidget calls it when the view goes)
 */
function renderQuizWidget({ model, el }) {
  el.classList.add("qb-widget");
  // The markup is quizbook.sphinx.render's, made at build time: the book's quiz, to the byte.
  el.innerHTML = String(model.get("markup") || "");
  // JupyterLab takes Enter, arrows and letters for notebook commands (it matches its
  // shortcuts from the focused element up, and stops at this mark): keys stay in the quiz.
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  el.querySelectorAll("input,select,button,textarea,summary,a[href]")
    .forEach((control) => control.setAttribute("data-lm-suppress-shortcuts", "true"));
  const root = /** @type {HTMLElement|null} */ (el.querySelector("[data-quizbook-quiz]"));
  if (!root) {
    el.textContent = "This quiz cannot be shown: its markup is missing. Run the cell again.";
    return () => {};
  }
  const quiz = mountQuiz(root, {
    grader: new LocalGrader(), store: widgetQuizStore(model), source: "notebook",
    downloads: () => Promise.resolve(DOWNLOADS),
    download(quizRoot, fileName, results) {
      browserDownload(quizRoot, fileName, results);
      model.send({ kind: "results", name: fileName, text: JSON.stringify(results, null, 1) });
    },
  });
  const showNotice = () => {
    const notice = String(model.get("notice") || "");
    if (notice) quiz.say(notice);
  };
  showNotice();
  model.on("change:notice", showNotice);
  return () => model.off("change:notice", showNotice);
}
