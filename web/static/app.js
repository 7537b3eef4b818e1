// The pages' only script of their own (the Content-Security-Policy allows no inline script):
// the Print buttons, and the progress slider kept in step with its number field.
document.addEventListener("click", function (event) {
  if (event.target.closest(".print-btn")) {
    window.print();
  }
});
document.addEventListener("input", function (event) {
  var field = event.target;
  var pair = field.closest(".percent-input");
  if (!pair) {
    return;
  }
  pair.querySelectorAll("input").forEach(function (other) {
    if (other !== field) {
      other.value = field.value;
    }
  });
});
