// Deform's widgets start once their scripts are loaded (no inline script: CSP).
if (window.deform) { deform.load(); }
