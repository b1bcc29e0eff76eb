// Training-curve SVGs (tools/svg_plot.cpp), checked by structure: the document is read by a
// small well-formedness checker below (balanced tags, quoted attributes, no stray '&' or '<'),
// then its panels, curves, labels, ticks and point coordinates are inspected.

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "minidl/core/error.hpp"
#include "minidl/tools/svg_plot.hpp"
#include "test_support.hpp"

using namespace minidl;

namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

/// An XML element as read: its attributes and text with the entities decoded.
struct Element {
    std::string name;
    std::map<std::string, std::string> attributes;
    std::vector<Element> children;
    std::string text;

    std::string attribute(const std::string& key) const {
        const auto found = attributes.find(key);
        return found == attributes.end() ? "" : found->second;
    }
    double number(const std::string& key) const { return std::stod(attributes.at(key)); }
};

/// Reads a whole XML document (an optional <?xml ...?> declaration and one root element),
/// throwing std::runtime_error with the offset at the first thing that is not well formed:
/// unbalanced or mismatched tags, unquoted or repeated attributes, a '<' in an attribute value,
/// a '&' that does not start an entity, text outside the root.
class XmlReader {
  public:
    explicit XmlReader(std::string_view text) : text_(text) {}

    Element document() {
        skip_space();
        if (text_.substr(pos_, 5) == "<?xml") {
            const std::size_t end = text_.find("?>", pos_);
            if (end == std::string_view::npos) fail("unterminated XML declaration");
            pos_ = end + 2;
        }
        skip_space();
        Element root = element();
        skip_space();
        if (pos_ != text_.size()) fail("content after the root element");
        return root;
    }

  private:
    [[noreturn]] void fail(const std::string& why) const {
        throw std::runtime_error("offset " + std::to_string(pos_) + ": " + why);
    }
    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }
    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++pos_;
    }
    void skip_space() {
        while (!at_end() && std::string_view(" \t\r\n").find(peek()) != std::string_view::npos)
            ++pos_;
    }
    std::string name() {
        const std::size_t begin = pos_;
        while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) ||
                             std::string_view("-_:.").find(peek()) != std::string_view::npos))
            ++pos_;
        if (pos_ == begin || std::isdigit(static_cast<unsigned char>(text_[begin])))
            fail("expected a name");
        return std::string(text_.substr(begin, pos_ - begin));
    }
    std::string entity() {
        expect('&');
        const std::size_t end = text_.find(';', pos_);
        if (end == std::string_view::npos || end - pos_ > 8) fail("stray '&'");
        const std::string_view name = text_.substr(pos_, end - pos_);
        pos_ = end + 1;
        static const std::map<std::string_view, std::string> named = {
            {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}};
        if (const auto found = named.find(name); found != named.end()) return found->second;
        if (name.size() > 1 && name[0] == '#') {
            const std::string digits(name.substr(1));
            if (digits.find_first_not_of("0123456789") == std::string::npos)
                return std::string(1, static_cast<char>(std::stoi(digits)));
        }
        fail("unknown entity &" + std::string(name) + ";");
    }
    /// Character data up to the next '<' (or the closing quote), entities decoded.
    std::string characters(char stop) {
        std::string out;
        while (!at_end() && peek() != stop) {
            if (peek() == '<') fail("'<' in an attribute value");
            out += peek() == '&' ? entity() : std::string(1, text_[pos_++]);
        }
        return out;
    }
    Element element() {
        expect('<');
        Element element{name(), {}, {}, {}};
        for (;;) {
            const bool spaced = std::string_view(" \t\r\n").find(peek()) != std::string_view::npos;
            skip_space();
            if (peek() == '/') {
                ++pos_;
                expect('>');
                return element;
            }
            if (peek() == '>') break;
            if (!spaced) fail("attributes must be separated by spaces");
            const std::string key = name();
            skip_space();
            expect('=');
            skip_space();
            const char quote = peek();
            if (quote != '"' && quote != '\'') fail("unquoted value of attribute " + key);
            ++pos_;
            std::string value = characters(quote);
            expect(quote);
            if (!element.attributes.emplace(key, std::move(value)).second)
                fail("attribute " + key + " repeats");
        }
        expect('>');
        for (;;) {
            if (at_end()) fail("<" + element.name + "> is not closed");
            if (text_.substr(pos_, 2) == "</") {
                pos_ += 2;
                if (name() != element.name)
                    fail("mismatched closing tag of <" + element.name + ">");
                skip_space();
                expect('>');
                return element;
            }
            if (peek() == '<') {
                element.children.push_back(this->element());
            } else {
                while (!at_end() && peek() != '<')
                    element.text += peek() == '&' ? entity() : std::string(1, text_[pos_++]);
            }
        }
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

Element parse_svg(const std::string& svg) {
    INFO(svg);
    try {
        return XmlReader(svg).document();
    } catch (const std::runtime_error& error) {
        FAIL("not well-formed XML: " << error.what());
    }
    return {};
}

/// Every element under `root` (itself included) named `name` and, when given, of class `kind`.
void collect(const Element& root, const std::string& name, const std::string& kind,
             std::vector<const Element*>& found) {
    if (root.name == name && (kind.empty() || root.attribute("class") == kind))
        found.push_back(&root);
    for (const Element& child : root.children) collect(child, name, kind, found);
}

std::vector<const Element*> all(const Element& root, const std::string& name,
                                const std::string& kind = "") {
    std::vector<const Element*> found;
    collect(root, name, kind, found);
    return found;
}

std::vector<std::string> texts(const Element& root, const std::string& kind) {
    std::vector<std::string> result;
    for (const Element* text : all(root, "text", kind)) result.push_back(text->text);
    return result;
}

struct Point {
    double x, y;
};

std::vector<Point> points_of(const Element& polyline) {
    std::vector<Point> points;
    std::istringstream stream(polyline.attribute("points"));
    std::string pair;
    while (stream >> pair) {
        const std::size_t comma = pair.find(',');
        REQUIRE(comma != std::string::npos);
        points.push_back({std::stod(pair.substr(0, comma)), std::stod(pair.substr(comma + 1))});
    }
    return points;
}

/// The plotting area of a panel: its frame rectangle.
struct Box {
    double left, top, right, bottom;
    bool holds(double x, double y) const {
        return x >= left && x <= right && y >= top && y <= bottom;
    }
};

Box frame_of(const Element& panel) {
    const std::vector<const Element*> frames = all(panel, "rect", "frame");
    REQUIRE(frames.size() == 1);
    const Element& f = *frames.front();
    return {f.number("x"), f.number("y"), f.number("x") + f.number("width"),
            f.number("y") + f.number("height")};
}

/// The y tick labels (anchored at their end, left of the frame) as numbers.
std::vector<double> value_ticks(const Element& panel) {
    std::vector<double> ticks;
    for (const Element* text : all(panel, "text", "tick-label")) {
        if (text->attribute("text-anchor") == "end") ticks.push_back(std::stod(text->text));
    }
    return ticks;
}

std::vector<std::string> epoch_ticks(const Element& panel) {
    std::vector<std::string> ticks;
    for (const Element* text : all(panel, "text", "tick-label")) {
        if (text->attribute("text-anchor") == "middle") ticks.push_back(text->text);
    }
    return ticks;
}

/// Every curve point and marker of `panel` inside its plotting area.
void check_inside(const Element& panel) {
    const Box box = frame_of(panel);
    for (const Element* polyline : all(panel, "polyline")) {
        for (const Point& p : points_of(*polyline)) {
            INFO(p.x << "," << p.y);
            CHECK(box.holds(p.x, p.y));
        }
    }
    for (const Element* circle : all(panel, "circle"))
        CHECK(box.holds(circle->number("cx"), circle->number("cy")));
}

std::vector<double> range(int64_t count, double first, double step) {
    std::vector<double> values;
    for (int64_t i = 0; i < count; ++i) values.push_back(first + step * static_cast<double>(i));
    return values;
}

std::vector<int64_t> epochs(int64_t first, int64_t count) {
    std::vector<int64_t> result;
    for (int64_t i = 0; i < count; ++i) result.push_back(first + i);
    return result;
}

}  // namespace

TEST_CASE("history_svg draws one panel per quantity, loss first, with both curves") {
    const History history(epochs(0, 8), {{"accuracy", range(8, 0.5, 0.05)},
                                         {"loss", range(8, 0.9, -0.1)},
                                         {"val_accuracy", range(8, 0.45, 0.05)},
                                         {"val_loss", range(8, 1.0, -0.1)},
                                         {"lr", std::vector<double>(8, 0.01)}});
    const std::string svg = tools::history_svg(history, {.title = "run 1"});
    const Element root = parse_svg(svg);
    CHECK(root.name == "svg");
    CHECK(root.attribute("xmlns") == "http://www.w3.org/2000/svg");
    CHECK(root.attribute("width") == "720");
    CHECK(root.attribute("height") == std::to_string(32 + 2 * 260));
    CHECK(texts(root, "title") == std::vector<std::string>{"run 1"});

    const std::vector<const Element*> panels = all(root, "g", "panel");
    REQUIRE(panels.size() == 2);  // no lr panel
    const std::vector<std::string> quantities = {"loss", "accuracy"};
    for (std::size_t i = 0; i < panels.size(); ++i) {
        INFO(quantities[i]);
        const Element& panel = *panels[i];
        CHECK(texts(panel, "axis-label") == std::vector<std::string>{"epoch", quantities[i]});
        CHECK(all(panel, "polyline", "train").size() == 1);
        CHECK(all(panel, "polyline", "validation").size() == 1);
        CHECK(all(panel, "circle").empty());
        CHECK(texts(panel, "legend-label") == std::vector<std::string>{"training", "validation"});
        for (const Element* polyline : all(panel, "polyline"))
            CHECK(points_of(*polyline).size() == 8);
        check_inside(panel);
        CHECK(epoch_ticks(panel) ==
              std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7"});
        const std::vector<double> ticks = value_ticks(panel);
        CHECK(ticks.size() >= 4);
        CHECK(ticks.size() <= 6);
    }
    // The loss falls: its training curve's points go down the image (y grows) from left to right.
    const std::vector<Point> loss = points_of(*all(*panels[0], "polyline", "train").front());
    const Box box = frame_of(*panels[0]);
    CHECK(loss.front().x == Approx(box.left));
    CHECK(loss.back().x == Approx(box.right));
    for (std::size_t i = 1; i < loss.size(); ++i) CHECK(loss[i].y > loss[i - 1].y);
    CHECK(value_ticks(*panels[0]) == std::vector<double>{0.2, 0.4, 0.6, 0.8, 1.0});

    CHECK(tools::history_svg(history, {.title = "run 1"}) == svg);  // deterministic
}

TEST_CASE("history_svg plots lr when it is the only quantity, and a lone training curve") {
    const History only_lr(epochs(0, 3), {{"lr", {0.1, 0.05, 0.025}}});
    const Element root = parse_svg(tools::history_svg(only_lr));
    const std::vector<const Element*> panels = all(root, "g", "panel");
    REQUIRE(panels.size() == 1);
    CHECK(texts(*panels[0], "axis-label") == std::vector<std::string>{"epoch", "lr"});
    CHECK(all(root, "polyline", "train").size() == 1);
    CHECK(all(root, "polyline", "validation").empty());
    CHECK(texts(root, "legend-label") == std::vector<std::string>{"training"});
    CHECK(all(root, "text", "title").empty());
    CHECK(root.attribute("height") == "260");
}

TEST_CASE("history_svg marks the point of a single-epoch history") {
    const History history({4}, {{"loss", {0.7}}, {"val_loss", {0.8}}});
    const Element root = parse_svg(tools::history_svg(history));
    const Element& panel = *all(root, "g", "panel").at(0);
    for (const char* kind : {"train", "validation"}) {
        INFO(kind);
        const std::vector<const Element*> polylines = all(panel, "polyline", kind);
        REQUIRE(polylines.size() == 1);
        CHECK(points_of(*polylines[0]).size() == 1);
        REQUIRE(all(panel, "circle", kind).size() == 1);
    }
    check_inside(panel);
    const Box box = frame_of(panel);
    CHECK(all(panel, "circle", "train")[0]->number("cx") == Approx((box.left + box.right) / 2));
    CHECK(epoch_ticks(panel) == std::vector<std::string>{"4"});
    const std::vector<double> ticks = value_ticks(panel);
    CHECK(ticks.size() >= 4);
    CHECK(ticks.size() <= 6);
}

TEST_CASE("history_svg splits a curve at NaN and infinite values") {
    const double inf = std::numeric_limits<double>::infinity();
    const History history(epochs(0, 7), {{"loss", {1.0, nan_value, 0.5, 0.4, inf, 0.3, nan_value}},
                                         {"val_loss", std::vector<double>(7, nan_value)}});
    const std::string svg = tools::history_svg(history);
    const Element root = parse_svg(svg);
    const std::vector<const Element*> train = all(root, "polyline", "train");
    REQUIRE(train.size() == 3);
    CHECK(points_of(*train[0]).size() == 1);
    CHECK(points_of(*train[1]).size() == 2);
    CHECK(points_of(*train[2]).size() == 1);
    CHECK(all(root, "circle", "train").size() == 2);
    // A curve with no finite value is not drawn, nor in the legend.
    CHECK(all(root, "polyline", "validation").empty());
    CHECK(texts(root, "legend-label") == std::vector<std::string>{"training"});
    CHECK(svg.find("nan") == std::string::npos);
    CHECK(svg.find("inf") == std::string::npos);
    check_inside(*all(root, "g", "panel").at(0));
}

TEST_CASE("history_svg escapes names and titles") {
    const History history(
        epochs(0, 2), {{"loss", {1.0, 0.5}}, {"a<b&c", {0.1, 0.2}}, {"val_a<b&c", {0.15, 0.25}}});
    const std::string svg = tools::history_svg(history, {.title = "\"x\" & 'y' > z"});
    CHECK(svg.find("a<b") == std::string::npos);
    const Element root = parse_svg(svg);
    CHECK(texts(root, "title") == std::vector<std::string>{"\"x\" & 'y' > z"});
    const std::vector<const Element*> panels = all(root, "g", "panel");
    REQUIRE(panels.size() == 2);
    CHECK(texts(*panels[1], "axis-label") == std::vector<std::string>{"epoch", "a<b&c"});
    CHECK(all(*panels[1], "polyline", "validation").size() == 1);
}

TEST_CASE("history_svg's value ticks are 4 to 6 round numbers covering the data") {
    Generator generator(7);
    for (int trial = 0; trial < 300; ++trial) {
        // Ranges of every magnitude, some crossing zero, some flat.
        const auto draw = [&](float low, float high) {
            return static_cast<double>(uniform({1}, low, high, generator).item());
        };
        const double scale = std::pow(10.0, std::floor(draw(-8.0f, 8.0f)));
        const double a = draw(-1.0f, 3.0f) * scale;
        const double b = trial % 10 == 0 ? a : draw(-1.0f, 3.0f) * scale;
        INFO("values " << a << " .. " << b);
        const History history(epochs(0, 2), {{"loss", {a, b}}});
        const Element root = parse_svg(tools::history_svg(history));
        const Element& panel = *all(root, "g", "panel").at(0);
        check_inside(panel);
        const std::vector<double> ticks = value_ticks(panel);
        REQUIRE(ticks.size() >= 4);
        REQUIRE(ticks.size() <= 6);
        // Equally spaced by 1, 2, 2.5 or 5 times a power of ten.
        const double step = ticks[1] - ticks[0];
        CHECK(ticks.front() <= std::min(a, b) + 1e-6 * step);
        CHECK(ticks.back() >= std::max(a, b) - 1e-6 * step);
        const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
        const bool round = std::fabs(mantissa - 1) < 1e-6 || std::fabs(mantissa - 2) < 1e-6 ||
                           std::fabs(mantissa - 2.5) < 1e-6 || std::fabs(mantissa - 5) < 1e-6;
        CHECK(round);
        for (std::size_t i = 1; i < ticks.size(); ++i)
            CHECK(ticks[i] - ticks[i - 1] == Approx(step).epsilon(1e-6));
    }
}

TEST_CASE("history_svg's epoch ticks are whole numbers, at most 11") {
    const History history(epochs(5, 96), {{"loss", range(96, 1.0, 0.01)}});
    const Element root = parse_svg(tools::history_svg(history));
    const Element& panel = *all(root, "g", "panel").at(0);
    CHECK(epoch_ticks(panel) ==
          std::vector<std::string>{"10", "20", "30", "40", "50", "60", "70", "80", "90", "100"});
    check_inside(panel);
}

TEST_CASE("history_svg refuses empty histories and sizes too small") {
    using Catch::Contains;
    const History history(epochs(0, 2), {{"loss", {1.0, 0.5}}});
    CHECK_THROWS_AS(tools::history_svg(History()), ValueError);
    CHECK_THROWS_WITH(tools::history_svg(History()), Contains("no epochs"));
    CHECK_THROWS_WITH(tools::history_svg(History(epochs(0, 2), {})), Contains("no values to plot"));
    CHECK_THROWS_WITH(tools::history_svg(history, {.width = 100}),
                      Contains("'width' must be at least 240, got 100"));
    CHECK_THROWS_WITH(tools::history_svg(history, {.panel_height = 20}),
                      Contains("'panel_height' must be at least 160, got 20"));
}

TEST_CASE("write_history_svg writes the document, or names the file it cannot write") {
    const testing::TemporaryFolder folder("minidl_svg_plot_");
    const std::filesystem::path file = folder.path / "curves.svg";
    const History history(epochs(0, 3), {{"loss", {1.0, 0.5, 0.25}}});
    tools::write_history_svg(file, history, {.width = 400});
    CHECK(testing::read_file(file) == tools::history_svg(history, {.width = 400}));
    const std::filesystem::path bad = "/nonexistent_minidl_folder/curves.svg";
    CHECK_THROWS_WITH(tools::write_history_svg(bad, history), Catch::Contains(bad.string()));
}

TEST_CASE("the well-formedness checker refuses what is not XML") {
    for (const char* bad :
         {"<svg><g></svg>", "<svg a=1/>", "<svg>a & b</svg>", "<svg>a < b</svg>", "<svg a=\"<\"/>",
          "<svg></svg><svg/>", "<svg a=\"1\" a=\"2\"/>", "<svg>&bogus;</svg>", "<svg>"}) {
        INFO(bad);
        CHECK_THROWS_AS(XmlReader(bad).document(), std::runtime_error);
    }
    CHECK(XmlReader("<?xml version=\"1.0\"?>\n<svg a='1'><t>&lt;&amp;</t></svg>\n")
              .document()
              .children.at(0)
              .text == "<&");
}
