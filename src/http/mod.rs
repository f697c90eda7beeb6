//! The hyper service: routes paths to prepared [`Entity`](crate::render::Entity)s.
//! PLACEHOLDER interface: implemented on the render branch.
