<?php
// Renders a Mautic theme's templates with Twig 3 (Debian's php-twig), as Mautic 4 and 5 do: prints JSON with
// the e-mail (html/email.html.twig) and the page Mautic shows its messages in (html/message.html.twig).
// php mautic_render.php THEME_FOLDER MESSAGE
require '/usr/share/php/Twig/autoload.php';

$twig = new \Twig\Environment(new \Twig\Loader\FilesystemLoader($argv[1]), ['strict_variables' => false]);
echo json_encode([
    'email' => $twig->render('html/email.html.twig'),
    'message' => $twig->render('html/message.html.twig', ['message' => $argv[2], 'content' => '']),
]);
